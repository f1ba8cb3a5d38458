using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TokenDescriptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Description",
                table: "ApiTokens",
                type: "TEXT",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Description",
                table: "ApiTokens");
        }
    }
}
