using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BeatPass.Core.Data.Migrations.PostgreSql
{
    /// <summary>
    /// A change notification now says when its transaction began, as "userId epochMilliseconds", so each node can
    /// measure how late it hears of a change (beatpass.api_token.change_notification.delay). The transaction's time,
    /// not the row's, keeps one notification per account and transaction (PostgreSQL folds identical payloads).
    /// </summary>
    public partial class ChangeNotificationTimes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION beatpass_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE'
                       AND to_jsonb(OLD) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,ExpiryNotice}'::text[] = to_jsonb(NEW) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,ExpiryNotice}'::text[] THEN
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', OLD."UserId" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', NEW."UserId" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE OR REPLACE FUNCTION beatpass_notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('beatpass_api_token_changes', OLD."Id" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    RETURN NULL;
                END $$;

                CREATE OR REPLACE FUNCTION beatpass_notify_role_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', OLD."UserId" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', NEW."UserId" || ' ' || (extract(epoch FROM transaction_timestamp()) * 1000)::bigint);
                    END IF;
                    RETURN NULL;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION beatpass_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE'
                       AND to_jsonb(OLD) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,ExpiryNotice}'::text[] = to_jsonb(NEW) - '{LastUsedAt,LastUsedFrom,LastUsedUserAgent,ExpiryNotice}'::text[] THEN
                        RETURN NULL;
                    END IF;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', OLD."UserId");
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', NEW."UserId");
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE OR REPLACE FUNCTION beatpass_notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('beatpass_api_token_changes', OLD."Id");
                    RETURN NULL;
                END $$;

                CREATE OR REPLACE FUNCTION beatpass_notify_role_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', OLD."UserId");
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        PERFORM pg_notify('beatpass_api_token_changes', NEW."UserId");
                    END IF;
                    RETURN NULL;
                END $$;
                """);
        }
    }
}
