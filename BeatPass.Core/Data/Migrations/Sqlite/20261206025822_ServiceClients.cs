using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.Sqlite
{
    /// <summary>
    /// The services that may introspect tokens, and which of them asked about a token last. A revoked service's row is
    /// deleted, and the deletion goes into the change log as "service:&lt;id&gt;", so a process that kept its credentials
    /// forgets them. LastUsedByService is bookkeeping: the token update trigger does not list it.
    /// </summary>
    public partial class ServiceClients : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LastUsedByService",
                table: "ApiTokens",
                type: "TEXT",
                maxLength: 60,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ServiceClients",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 25, nullable: false),
                    SecretHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastUsedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServiceClients", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ServiceClients_ClientId",
                table: "ServiceClients",
                column: "ClientId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ServiceClients_Name",
                table: "ServiceClients",
                column: "Name",
                unique: true);

            migrationBuilder.Sql("""
                CREATE TRIGGER "ServiceClients_log_delete" AFTER DELETE ON "ServiceClients"
                BEGIN INSERT INTO "AccountChanges" ("UserId") VALUES ('service:' || OLD."Id"); END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "ServiceClients_log_delete";""");

            migrationBuilder.DropTable(
                name: "ServiceClients");

            migrationBuilder.DropColumn(
                name: "LastUsedByService",
                table: "ApiTokens");
        }
    }
}
