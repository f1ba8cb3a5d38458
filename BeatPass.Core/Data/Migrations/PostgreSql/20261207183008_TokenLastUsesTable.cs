using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
{
    /// <summary>
    /// A token's last use moves to a narrow table of its own (ApiTokenLastUse), copied over: the batched writer then
    /// updates a short row and its two indexes, not the token's wide row and all of its indexes.
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
                    TokenId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    LastUsedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastUsedFrom = table.Column<string>(type: "character varying(230)", maxLength: 230, nullable: true),
                    LastUsedUserAgent = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    LastUsedByService = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true)
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

            migrationBuilder.DropColumn(
                name: "LastUsedAt",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "LastUsedByService",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "LastUsedFrom",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "LastUsedUserAgent",
                table: "ApiTokens");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "LastUsedAt",
                table: "ApiTokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedByService",
                table: "ApiTokens",
                type: "character varying(60)",
                maxLength: 60,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedFrom",
                table: "ApiTokens",
                type: "character varying(230)",
                maxLength: 230,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastUsedUserAgent",
                table: "ApiTokens",
                type: "character varying(256)",
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
