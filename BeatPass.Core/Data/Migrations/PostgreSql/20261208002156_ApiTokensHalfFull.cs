using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
{
    /// <summary>
    /// ApiTokens leaves half of each page free, so that every row of a page can take its next last-used write in
    /// place (a HOT update) even when all of them are written in one batch. Rows written from now on are placed so;
    /// pages written before stay as full as they are until their rows move (<c>VACUUM FULL "ApiTokens"</c> rewrites
    /// them at once, holding the table locked while it runs).
    /// </summary>
    public partial class ApiTokensHalfFull : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "ApiTokens")
                .Annotation("Npgsql:StorageParameter:fillfactor", 50)
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 80);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "ApiTokens")
                .Annotation("Npgsql:StorageParameter:fillfactor", 80)
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 50);
        }
    }
}
