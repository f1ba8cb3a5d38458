using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
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
                type: "character varying(200)",
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
