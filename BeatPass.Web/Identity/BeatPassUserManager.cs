using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Identity;

/// <summary>
/// Identity's user manager, with two BeatPass rules: a wrong current password on "Change password" counts toward
/// lockout, as one on sign-in does (a stolen session must not become a way to guess the password without limit), and
/// an account deleted through "Delete personal data" leaves a "token deleted" event in the audit log for each token
/// that goes with it.
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
    TimeProvider time)
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

        var result = await base.ChangePasswordAsync(user, currentPassword, newPassword);
        if (result.Succeeded)
        {
            await ResetAccessFailedCountAsync(user);
        }

        return result;
    }

    public override async Task<IdentityResult> DeleteAsync(BeatPassUser user)
    {
        // The tokens go with the account (the database cascades); the events are saved with the deletion, by the
        // same context Identity's store uses, so both happen or neither does.
        var now = time.GetUtcNow().UtcDateTime;
        var tokenNames = await db.ApiTokens.Where(t => t.UserId == user.Id).Select(t => t.Name).ToListAsync(CancellationToken);
        var events = tokenNames.Select(name => db.RecordSecurityEvent(now, Actor.Account(user.Id), user.Id, AuditAction.TokenDeleted, name)).ToList();

        var result = await base.DeleteAsync(user);
        if (!result.Succeeded)
        {
            foreach (var unsaved in events)
            {
                db.Entry(unsaved).State = EntityState.Detached;
            }
        }

        return result;
    }
}
