using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Core.Email;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Identity;

/// <summary>
/// Identity's user manager, with BeatPass's rules: a wrong current password on "Change password" counts toward
/// lockout, as one on sign-in does (a stolen session must not become a way to guess the password without limit);
/// every change to how the account is secured (password, email, two-factor authentication, recovery codes,
/// deletion) is recorded as a security event and told to the holder by email, saved with the change itself; the
/// email and the sign-in name change together, or not at all; and an account deleted through "Delete personal
/// data" leaves a "token deleted" event in the audit log for each token that goes with it.
/// </summary>
internal sealed class BeatPassUserManager(
    IUserStore<BeatPassUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<BeatPassUser> passwordHasher,
    IEnumerable<IUserValidator<BeatPassUser>> userValidators,
    IEnumerable<IPasswordValidator<BeatPassUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<BeatPassUser>> logger,
    BeatPassDbContext db,
    TimeProvider time,
    IOptions<DevelopersOptions> developers)
    : UserManager<BeatPassUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    public override async Task<IdentityResult> ChangePasswordAsync(BeatPassUser user, string currentPassword, string newPassword)
    {
        if (await IsLockedOutAsync(user))
        {
            return IdentityResult.Failed(new IdentityError
            {
                Code = "LockedOut",
                Description = "Too many wrong passwords: this account is locked for a few minutes. Try again later.",
            });
        }

        if (!await CheckPasswordAsync(user, currentPassword))
        {
            await AccessFailedAsync(user);
            return IdentityResult.Failed(ErrorDescriber.PasswordMismatch());
        }

        var result = await RecordedAsync(user, AuditAction.PasswordChanged, SecurityNotices.PasswordChanged,
            () => base.ChangePasswordAsync(user, currentPassword, newPassword));
        if (result.Succeeded)
        {
            await ResetAccessFailedCountAsync(user);
        }

        return result;
    }

    /// <summary>
    /// A new password from an emailed link. The link came to the account's address, so whoever used it owns the
    /// address: an account never confirmed (perhaps registered by someone else, with a password of theirs) is
    /// confirmed now, with the password its owner just chose. Every session ends: the password that opened them is gone.
    /// </summary>
    public override async Task<IdentityResult> ResetPasswordAsync(BeatPassUser user, string token, string newPassword)
    {
        var result = await RecordedAsync(user, AuditAction.PasswordChanged, SecurityNotices.PasswordChanged,
            () => base.ResetPasswordAsync(user, token, newPassword));
        if (!result.Succeeded)
        {
            return result;
        }

        if (!user.EmailConfirmed)
        {
            user.EmailConfirmed = true;
            (await UpdateAsync(user)).ThrowIfFailed();
        }

        await db.UserSessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(CancellationToken);
        return result;
    }

    /// <summary>
    /// Changes the email and, with it, the sign-in name, in one save: both are checked first (an address Identity
    /// would refuse as a sign-in name changes nothing), and the old address is told, with the new one masked.
    /// </summary>
    public override async Task<IdentityResult> ChangeEmailAsync(BeatPassUser user, string newEmail, string token)
    {
        var contact = developers.Value.AccessRequestEmail;
        await Store.SetUserNameAsync(user, newEmail, CancellationToken);
        var result = await RecordedAsync(user, AuditAction.EmailChanged, (now, to) => SecurityNotices.EmailChanged(now, to, newEmail, contact),
            () => base.ChangeEmailAsync(user, newEmail, token));
        if (!result.Succeeded)
        {
            await db.Entry(user).ReloadAsync(CancellationToken); // the sign-in name set above was not saved: drop it
        }

        return result;
    }

    public override async Task<IdentityResult> SetTwoFactorEnabledAsync(BeatPassUser user, bool enabled)
    {
        if (await GetTwoFactorEnabledAsync(user) == enabled)
        {
            return await base.SetTwoFactorEnabledAsync(user, enabled);
        }

        return enabled
            ? await RecordedAsync(user, AuditAction.TwoFactorEnabled, SecurityNotices.TwoFactorEnabled, () => base.SetTwoFactorEnabledAsync(user, enabled))
            : await RecordedAsync(user, AuditAction.TwoFactorDisabled, SecurityNotices.TwoFactorDisabled, () => base.SetTwoFactorEnabledAsync(user, enabled));
    }

    /// <summary>New recovery codes; when they replace codes the account had, a security event (the first ones come with turning two-factor on).</summary>
    public override async Task<IEnumerable<string>?> GenerateNewTwoFactorRecoveryCodesAsync(BeatPassUser user, int number)
    {
        if (await CountRecoveryCodesAsync(user) == 0)
        {
            return await base.GenerateNewTwoFactorRecoveryCodesAsync(user, number);
        }

        IEnumerable<string>? codes = null;
        await RecordedAsync(user, AuditAction.RecoveryCodesRegenerated, SecurityNotices.RecoveryCodesRegenerated, async () =>
        {
            codes = await base.GenerateNewTwoFactorRecoveryCodesAsync(user, number);
            return codes is null ? IdentityResult.Failed() : IdentityResult.Success;
        });
        return codes;
    }

    public override async Task<IdentityResult> DeleteAsync(BeatPassUser user)
    {
        // The tokens go with the account (the database cascades); the events are saved with the deletion, by the
        // same context Identity's store uses, so both happen or neither does.
        var now = time.GetUtcNow().UtcDateTime;
        var tokenNames = await db.ApiTokens.Where(t => t.UserId == user.Id).Select(t => t.Name).ToListAsync(CancellationToken);
        foreach (var tokenName in tokenNames)
        {
            db.RecordSecurityEvent(now, Actor.Account(user.Id), user.Id, AuditAction.TokenDeleted, tokenName);
        }

        return await RecordedAsync(user, AuditAction.AccountDeleted, SecurityNotices.AccountDeleted, () => base.DeleteAsync(user));
    }

    /// <summary>
    /// Records <paramref name="action"/> (its audit row, and <paramref name="notice"/> to the account's email) in the
    /// context Identity's store saves with, then makes the change: both are saved together. When the change fails,
    /// what was recorded is dropped before anything else can save it.
    /// </summary>
    private async Task<IdentityResult> RecordedAsync(
        BeatPassUser user, AuditAction action, Func<DateTime, string, OutgoingEmail> notice, Func<Task<IdentityResult>> change)
    {
        var now = time.GetUtcNow().UtcDateTime;
        db.RecordSecurityEvent(now, Actor.Account(user.Id), user.Id, action, tokenName: null, user.Email, to => notice(now, to));
        var result = await change();
        if (!result.Succeeded)
        {
            var unsaved = db.ChangeTracker.Entries()
                .Where(e => e.State == EntityState.Added && e.Entity is AuditEvent or OutgoingEmail)
                .ToList();
            foreach (var entry in unsaved)
            {
                entry.State = EntityState.Detached;
            }
        }

        return result;
    }
}
