using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LeakReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ReportedAt",
                table: "RetiredApiTokenSecrets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RevokedFoundAt",
                table: "ApiTokens",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ReportedAt",
                table: "RetiredApiTokenSecrets");

            migrationBuilder.DropColumn(
                name: "RevokedFoundAt",
                table: "ApiTokens");
        }
    }
}
