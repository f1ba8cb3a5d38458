using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.Sqlite
{
    /// <summary>
    /// A change log for the one node's token cache, read by SqliteDialect.ListenForAccountChangesAsync: triggers append
    /// the account's id whenever its tokens, user row or roles change, so a change made by another process on the same
    /// file (the make-staff command, a hand edit) reaches the running app within a second. Writes of only LastUsedAt or
    /// ExpiryNotice (bookkeeping) log nothing; a column added to ApiTokens later must be added to the update trigger's
    /// list. SQLite only: PostgreSQL notifies the nodes instead (TokenChangeNotifications). Not in the EF model: only
    /// the triggers write it and only the dialect reads it.
    /// </summary>
    public partial class AccountChangeLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE "AccountChanges" ("Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "UserId" TEXT NOT NULL);

                CREATE TRIGGER "ApiTokens_log_insert" AFTER INSERT ON "ApiTokens"
                BEGIN INSERT INTO "AccountChanges" ("UserId") VALUES (NEW."UserId"); END;

                CREATE TRIGGER "ApiTokens_log_delete" AFTER DELETE ON "ApiTokens"
                BEGIN INSERT INTO "AccountChanges" ("UserId") VALUES (OLD."UserId"); END;

                CREATE TRIGGER "ApiTokens_log_update" AFTER UPDATE ON "ApiTokens"
                WHEN OLD."UserId" IS NOT NEW."UserId" OR OLD."Name" IS NOT NEW."Name" OR OLD."NormalizedName" IS NOT NEW."NormalizedName"
                    OR OLD."TokenHash" IS NOT NEW."TokenHash" OR OLD."Hint" IS NOT NEW."Hint" OR OLD."CreatedAt" IS NOT NEW."CreatedAt"
                    OR OLD."IssuedAt" IS NOT NEW."IssuedAt" OR OLD."ExpiresAt" IS NOT NEW."ExpiresAt" OR OLD."IsUntagged" IS NOT NEW."IsUntagged"
                    OR OLD."Permissions" IS NOT NEW."Permissions" OR OLD."RevokedAt" IS NOT NEW."RevokedAt"
                    OR OLD."RevokedReason" IS NOT NEW."RevokedReason" OR OLD."Id" IS NOT NEW."Id"
                BEGIN
                    INSERT INTO "AccountChanges" ("UserId") VALUES (OLD."UserId");
                    INSERT INTO "AccountChanges" ("UserId") SELECT NEW."UserId" WHERE NEW."UserId" IS NOT OLD."UserId";
                END;

                CREATE TRIGGER "AspNetUsers_log_update" AFTER UPDATE ON "AspNetUsers"
                BEGIN INSERT INTO "AccountChanges" ("UserId") VALUES (OLD."Id"); END;

                CREATE TRIGGER "AspNetUsers_log_delete" AFTER DELETE ON "AspNetUsers"
                BEGIN INSERT INTO "AccountChanges" ("UserId") VALUES (OLD."Id"); END;

                CREATE TRIGGER "AspNetUserRoles_log_insert" AFTER INSERT ON "AspNetUserRoles"
                BEGIN INSERT INTO "AccountChanges" ("UserId") VALUES (NEW."UserId"); END;

                CREATE TRIGGER "AspNetUserRoles_log_delete" AFTER DELETE ON "AspNetUserRoles"
                BEGIN INSERT INTO "AccountChanges" ("UserId") VALUES (OLD."UserId"); END;

                CREATE TRIGGER "AspNetUserRoles_log_update" AFTER UPDATE ON "AspNetUserRoles"
                BEGIN
                    INSERT INTO "AccountChanges" ("UserId") VALUES (OLD."UserId");
                    INSERT INTO "AccountChanges" ("UserId") SELECT NEW."UserId" WHERE NEW."UserId" IS NOT OLD."UserId";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "AspNetUserRoles_log_update";
                DROP TRIGGER "AspNetUserRoles_log_delete";
                DROP TRIGGER "AspNetUserRoles_log_insert";
                DROP TRIGGER "AspNetUsers_log_delete";
                DROP TRIGGER "AspNetUsers_log_update";
                DROP TRIGGER "ApiTokens_log_update";
                DROP TRIGGER "ApiTokens_log_delete";
                DROP TRIGGER "ApiTokens_log_insert";
                DROP TABLE "AccountChanges";
                """);
        }
    }
}
