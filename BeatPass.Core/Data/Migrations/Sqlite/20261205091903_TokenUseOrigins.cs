using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.Sqlite
{
    /// <summary>
    /// Where each token was last used from (its last few client addresses) and with what (its last user agent), written
    /// with its last use. Bookkeeping like LastUsedAt: the change log's update trigger (AccountChangeLog) lists the
    /// columns that count as a change, and these are not among them.
    /// </summary>
    public partial class TokenUseOrigins : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LastUsedFrom",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "LastUsedUserAgent",
                table: "ApiTokens");
        }
    }
}
