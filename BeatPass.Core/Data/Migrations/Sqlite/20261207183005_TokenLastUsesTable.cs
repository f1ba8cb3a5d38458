using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.Sqlite
{
    /// <summary>
    /// A token's last use moves to a narrow table of its own (ApiTokenLastUse), copied over: the batched writer then
    /// updates a short row and its two indexes, not the token's wide row and all of its indexes. Its writes need not
    /// reach the change log: the bookkeeping columns never did (AccountChangeLog).
    /// </summary>
    public partial class TokenLastUsesTable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ApiTokenLastUses",
                columns: table => new
                {
                    TokenId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    LastUsedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastUsedFrom = table.Column<string>(type: "TEXT", maxLength: 230, nullable: true),
                    LastUsedUserAgent = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    LastUsedByService = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiTokenLastUses", x => x.TokenId);
                    table.ForeignKey(
                        name: "FK_ApiTokenLastUses_ApiTokens_TokenId",
                        column: x => x.TokenId,
                        principalTable: "ApiTokens",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokenLastUses_LastUsedAt",
                table: "ApiTokenLastUses",
                column: "LastUsedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokenLastUses_UserId_LastUsedAt",
                table: "ApiTokenLastUses",
                columns: new[] { "UserId", "LastUsedAt" });

            migrationBuilder.Sql("""
                INSERT INTO "ApiTokenLastUses" ("TokenId", "UserId", "LastUsedAt", "LastUsedFrom", "LastUsedUserAgent", "LastUsedByService")
                SELECT "Id", "UserId", "LastUsedAt", "LastUsedFrom", "LastUsedUserAgent", "LastUsedByService" FROM "ApiTokens"
                WHERE "LastUsedAt" IS NOT NULL;
                """);

            migrationBuilder.DropIndex(
                name: "IX_ApiTokens_LastUsedAt",
                table: "ApiTokens");

            migrationBuilder.DropIndex(
                name: "IX_ApiTokens_UserId_LastUsedAt",
                table: "ApiTokens");

            // SQLite's own DROP COLUMN, not EF Core's copy of the table: a copy would lose the change log's triggers on it.
            migrationBuilder.Sql("""
                ALTER TABLE "ApiTokens" DROP COLUMN "LastUsedAt";
                ALTER TABLE "ApiTokens" DROP COLUMN "LastUsedByService";
                ALTER TABLE "ApiTokens" DROP COLUMN "LastUsedFrom";
                ALTER TABLE "ApiTokens" DROP COLUMN "LastUsedUserAgent";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "LastUsedAt",
                table: "ApiTokens",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedByService",
                table: "ApiTokens",
                type: "TEXT",
                maxLength: 60,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedFrom",
                table: "ApiTokens",
                type: "TEXT",
                maxLength: 230,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedUserAgent",
                table: "ApiTokens",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_LastUsedAt",
                table: "ApiTokens",
                column: "LastUsedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_UserId_LastUsedAt",
                table: "ApiTokens",
                columns: new[] { "UserId", "LastUsedAt" });

            migrationBuilder.Sql("""
                UPDATE "ApiTokens" SET "LastUsedAt" = u."LastUsedAt", "LastUsedFrom" = u."LastUsedFrom",
                    "LastUsedUserAgent" = u."LastUsedUserAgent", "LastUsedByService" = u."LastUsedByService"
                FROM "ApiTokenLastUses" AS u WHERE u."TokenId" = "ApiTokens"."Id";
                """);

            migrationBuilder.DropTable(
                name: "ApiTokenLastUses");
        }
    }
}
