using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
{
    /// <summary>Tagged token secrets: the installation's tag key, and a mark on every secret issued before tags.</summary>
    public partial class TokenTags : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsUntagged",
                table: "ApiTokens",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Every secret issued so far has no tag; ApiTokenIssuer keeps a list of them so they go on working.
            migrationBuilder.Sql("""UPDATE "ApiTokens" SET "IsUntagged" = true;""");

            migrationBuilder.CreateTable(
                name: "ApiTokenTagKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Key = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiTokenTagKeys", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ApiTokenTagKeys");

            migrationBuilder.DropColumn(
                name: "IsUntagged",
                table: "ApiTokens");
        }
    }
}
