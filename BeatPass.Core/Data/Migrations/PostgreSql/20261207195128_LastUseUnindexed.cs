using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
{
    /// <summary>
    /// The two indexes on a token's last use are dropped, so that the last-used writer changes no indexed column and
    /// PostgreSQL can make its updates HOT (the new row version on the same page, no new index entries). ApiTokens gets
    /// a fill factor of 80 for the room on the page that needs; pages written before keep their rows packed until a
    /// write moves a row off the page (as every write did before) and the space it leaves is reused.
    /// </summary>
    public partial class LastUseUnindexed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ApiTokens_LastUsedAt",
                table: "ApiTokens");

            migrationBuilder.DropIndex(
                name: "IX_ApiTokens_UserId_LastUsedAt",
                table: "ApiTokens");

            migrationBuilder.AlterTable(
                name: "ApiTokens")
                .Annotation("Npgsql:StorageParameter:fillfactor", 80);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "ApiTokens")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 80);

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_LastUsedAt",
                table: "ApiTokens",
                column: "LastUsedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_UserId_LastUsedAt",
                table: "ApiTokens",
                columns: new[] { "UserId", "LastUsedAt" });
        }
    }
}
