using BeatPass.Core.Data;
using BeatPass.Core.Audit;
using BeatPass.Core.DeveloperAccess;
using BeatPass.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BeatPass.Tests.Core;

public abstract class AccessRequestsTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Queue = "https://settings.beatpass.test/admin/developer-access#requests";
    private const string Plan = "A playlist exporter for my own library.";

    private TestDatabase _database = null!;
    private ServiceProvider _services = null!;
    private string _staffId = "";

    private AccessRequests Requests => _services.GetRequiredService<AccessRequests>();

    private DeveloperAccessService Access => _services.GetRequiredService<DeveloperAccessService>();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider: provider);
        var services = new ServiceCollection();
        _database.AddCoreServicesTo(services);
        _services = services.BuildServiceProvider();
        _staffId = await _database.CreateStaffAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_request_is_stored_trimmed_audited_and_emailed_to_the_staff_address()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false, email: "asker@beats.test");

        var result = await Requests.RequestAsync(userId, $"  {Plan}  ", Queue);

        result.ErrorMessage.Should().BeNull();
        result.Request.Should().BeEquivalentTo(new { Text = Plan, Status = AccessRequestStatus.Pending, Email = "asker@beats.test" });
        var state = await Requests.GetStateAsync(userId);
        state.Should().BeEquivalentTo(new { HasAccess = false, AskAgainFrom = (DateTime?)null });
        state.Latest!.RequestedAt.Should().Be(_database.Time.GetUtcNow().UtcDateTime);
        await using var db = _database.CreateDbContext();
        var mail = await db.OutgoingEmails.SingleAsync();
        mail.To.Should().Be("contact@beatpass.ca");
        mail.Body.Should().Contain("asker@beats.test").And.Contain(Queue)
            .And.NotContain(Plan, "the requester's words, which could carry a link, stay out of BeatPass's email to staff");
        (await db.AuditEvents.SingleAsync()).Should().BeEquivalentTo(new { Action = AuditAction.AccessRequested, ActorUserId = userId, SubjectUserId = userId });
    }

    [Theory]
    [InlineData("", "Describe what you will build.")]
    [InlineData("   ", "Describe what you will build.")]
    [InlineData("Nineteen characters", "at least 20 characters")]
    [InlineData("Twenty\tcharacters here", "control characters")]
    [InlineData("Twenty characters\nhere, two lines", "control characters")]
    [InlineData("Twenty\u200B characters here", "invisible characters")]
    public async Task Bad_text_is_refused_with_a_clear_message_and_nothing_is_stored(string text, string message)
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);

        var result = await Requests.RequestAsync(userId, text, Queue);

        result.Succeeded.Should().BeFalse();
        result.ErrorMessage.Should().Contain(message);
        await ExpectNothingStoredAsync();
    }

    [Fact]
    public async Task The_length_is_counted_after_trimming_from_20_to_1000_characters()
    {
        AccessRequests.ValidateText(new string('a', 19)).Should().Contain("at least 20");
        AccessRequests.ValidateText("  " + new string('a', 20) + "  ").Should().BeNull();
        AccessRequests.ValidateText(new string('a', 1000)).Should().BeNull();
        AccessRequests.ValidateText(new string('a', 1001)).Should().Contain("1,000 characters at most");

        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);
        (await Requests.RequestAsync(userId, new string('a', 1001), Queue)).Succeeded.Should().BeFalse();
        await ExpectNothingStoredAsync();
        (await Requests.RequestAsync(userId, new string('a', 1000), Queue)).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task An_account_with_access_cannot_ask()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: true);

        var result = await Requests.RequestAsync(userId, Plan, Queue);

        result.ErrorMessage.Should().Be("Your account already has developer access.");
        await ExpectNothingStoredAsync();
    }

    [Fact]
    public async Task One_pending_request_per_account_even_when_two_are_sent_at_once()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Requests.RequestAsync(userId, Plan, Queue))));

        results.Count(r => r.Succeeded).Should().Be(1);
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorMessage!.StartsWith("You already asked on "));
        await using var db = _database.CreateDbContext();
        (await db.AccessRequests.CountAsync()).Should().Be(1);
        (await db.OutgoingEmails.CountAsync()).Should().Be(1);
    }

    [Fact]
    public async Task Approving_grants_access_in_the_same_transaction_audits_and_emails_the_holder()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false, email: "approved@beats.test");
        var request = (await Requests.RequestAsync(userId, Plan, Queue)).Request!;
        await ClearEmailsAndEventsAsync();

        await Requests.ApproveAsync(_staffId, request.Id);

        (await Access.HasAccessAsync(userId)).Should().BeTrue();
        var queue = await Requests.ListAsync(_staffId);
        queue.Pending.Should().BeEmpty();
        queue.Decided.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Status = AccessRequestStatus.Approved,
            DecidedAt = _database.Time.GetUtcNow().UtcDateTime,
            DecidedBy = await EmailOfAsync(_staffId),
        });
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.Select(e => e.Action).ToListAsync()).Should().BeEquivalentTo(
            [AuditAction.DeveloperAccessGranted, AuditAction.AccessRequestApproved]);
        (await db.OutgoingEmails.SingleAsync()).Should().BeEquivalentTo(new
        {
            To = "approved@beats.test",
            Subject = "Your request for developer access was approved",
        });
    }

    [Fact]
    public async Task A_double_click_on_approve_grants_once_and_the_second_is_told_it_was_decided()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);
        var request = (await Requests.RequestAsync(userId, Plan, Queue)).Request!;

        var clicks = Enumerable.Range(0, 2).Select(_ => Task.Run(() => Requests.ApproveAsync(_staffId, request.Id))).ToList();
        var outcomes = await OutcomesAsync(clicks);

        outcomes.Should().BeEquivalentTo(["ok", "This request was already approved."]);
        await using var db = _database.CreateDbContext();
        (await db.AuditEvents.CountAsync(e => e.Action == AuditAction.DeveloperAccessGranted)).Should().Be(1);
        (await db.OutgoingEmails.CountAsync(m => m.Subject.Contains("approved"))).Should().Be(1);
    }

    [Fact]
    public async Task Approve_and_decline_racing_one_wins_and_the_account_ends_as_the_winner_said()
    {
        for (var round = 0; round < 5; round++)
        {
            var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);
            var request = (await Requests.RequestAsync(userId, Plan, Queue)).Request!;

            var approve = Task.Run(() => Requests.ApproveAsync(_staffId, request.Id));
            var decline = Task.Run(() => Requests.DeclineAsync(_staffId, request.Id, "Not now."));
            var outcomes = await OutcomesAsync([approve, decline]);

            outcomes.Count(o => o == "ok").Should().Be(1);
            var approved = outcomes[0] == "ok";
            outcomes[approved ? 1 : 0].Should().Be(approved ? "This request was already approved." : "This request was already declined.");
            (await Access.HasAccessAsync(userId)).Should().Be(approved);
            (await Requests.GetStateAsync(userId)).Latest!.Status.Should().Be(approved ? AccessRequestStatus.Approved : AccessRequestStatus.Declined);
        }
    }

    [Fact]
    public async Task Declining_tells_the_holder_the_reason_and_when_they_may_ask_again_which_the_cooldown_enforces()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false, email: "declined@beats.test");
        var request = (await Requests.RequestAsync(userId, Plan, Queue)).Request!;
        await ClearEmailsAndEventsAsync();
        var declinedAt = _database.Time.GetUtcNow().UtcDateTime;

        await Requests.DeclineAsync(_staffId, request.Id, "  Tell us more about the exporter.  ");

        (await Access.HasAccessAsync(userId)).Should().BeFalse();
        var state = await Requests.GetStateAsync(userId);
        state.Latest.Should().BeEquivalentTo(new { Status = AccessRequestStatus.Declined, DeclineReason = "Tell us more about the exporter." });
        state.AskAgainFrom.Should().Be(declinedAt.AddDays(30));
        await using (var db = _database.CreateDbContext())
        {
            var mail = await db.OutgoingEmails.SingleAsync();
            mail.To.Should().Be("declined@beats.test");
            mail.Body.Should().Contain("Tell us more about the exporter.").And.Contain(BeatPass.Core.Email.SecurityNotices.Time(declinedAt.AddDays(30)));
            (await db.AuditEvents.SingleAsync()).Should().BeEquivalentTo(new
            {
                Action = AuditAction.AccessRequestDeclined, ActorUserId = _staffId, SubjectUserId = userId, Detail = "Tell us more about the exporter.",
            });
        }

        _database.Time.Advance(TimeSpan.FromDays(29));
        (await Requests.RequestAsync(userId, Plan, Queue)).ErrorMessage.Should().StartWith("Your last request was declined. You can ask again from ");
        _database.Time.Advance(TimeSpan.FromDays(1));
        (await Requests.RequestAsync(userId, Plan, Queue)).Succeeded.Should().BeTrue();
        (await Requests.GetStateAsync(userId)).Latest!.Status.Should().Be(AccessRequestStatus.Pending);
    }

    [Theory]
    [InlineData("Line one\nline two", "control characters")]
    [InlineData("Not\u202Enow", "invisible characters")]
    public async Task A_bad_reason_is_refused_and_the_request_stays_pending(string reason, string message)
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);
        var request = (await Requests.RequestAsync(userId, Plan, Queue)).Request!;

        var decline = () => Requests.DeclineAsync(_staffId, request.Id, reason);

        (await decline.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(message);
        AccessRequests.ValidateReason(new string('a', 501)).Should().Contain("500 characters at most");
        AccessRequests.ValidateReason(new string('a', 500)).Should().BeNull();
        (await Requests.GetStateAsync(userId)).Latest!.Status.Should().Be(AccessRequestStatus.Pending);
    }

    [Fact]
    public async Task The_queue_is_oldest_first_and_only_for_staff_and_only_staff_decide()
    {
        var first = await _database.CreateUserAsync(hasDeveloperAccess: false);
        var second = await _database.CreateUserAsync(hasDeveloperAccess: false);
        var firstRequest = (await Requests.RequestAsync(first, Plan, Queue)).Request!;
        _database.Time.Advance(TimeSpan.FromMinutes(1));
        await Requests.RequestAsync(second, Plan, Queue);
        var notStaff = await _database.CreateUserAsync();

        (await Requests.ListAsync(_staffId)).Pending.Select(r => r.UserId).Should().Equal(first, second);
        await FluentActions.Awaiting(() => Requests.ListAsync(notStaff)).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => Requests.ApproveAsync(notStaff, firstRequest.Id)).Should().ThrowAsync<StaffOnlyException>();
        await FluentActions.Awaiting(() => Requests.DeclineAsync(first, firstRequest.Id, null)).Should().ThrowAsync<StaffOnlyException>();
        (await Access.HasAccessAsync(first)).Should().BeFalse();
        (await Requests.GetStateAsync(first)).Latest!.Status.Should().Be(AccessRequestStatus.Pending);
        await FluentActions.Awaiting(() => Requests.ApproveAsync(_staffId, Guid.NewGuid())).Should().ThrowAsync<KeyNotFoundException>();
    }

    [Fact]
    public async Task The_switch_answers_a_pending_request_as_approved()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);
        await Requests.RequestAsync(userId, Plan, Queue);

        await Access.GrantAsync(_staffId, userId);

        (await Requests.GetStateAsync(userId)).Latest.Should().BeEquivalentTo(new { Status = AccessRequestStatus.Approved, DecidedBy = await EmailOfAsync(_staffId) });
    }

    [Fact]
    public async Task A_deleted_account_takes_its_requests_with_it()
    {
        var userId = await _database.CreateUserAsync(hasDeveloperAccess: false);
        await Requests.RequestAsync(userId, Plan, Queue);

        await using (var db = _database.CreateDbContext())
        {
            await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync();
        }

        (await Requests.ListAsync(_staffId)).Pending.Should().BeEmpty();
        await using var check = _database.CreateDbContext();
        (await check.AccessRequests.CountAsync()).Should().Be(0);
    }

    private static async Task<List<string>> OutcomesAsync(IEnumerable<Task> decisions)
    {
        var outcomes = new List<string>();
        foreach (var decision in decisions)
        {
            try
            {
                await decision;
                outcomes.Add("ok");
            }
            catch (AccessRequestDecidedException e)
            {
                outcomes.Add(e.Message);
            }
        }

        return outcomes;
    }

    private async Task<string> EmailOfAsync(string userId)
    {
        await using var db = _database.CreateDbContext();
        return (await db.Users.SingleAsync(u => u.Id == userId)).Email!;
    }

    private async Task ExpectNothingStoredAsync()
    {
        await using var db = _database.CreateDbContext();
        (await db.AccessRequests.CountAsync()).Should().Be(0);
        (await db.OutgoingEmails.CountAsync()).Should().Be(0);
        (await db.AuditEvents.CountAsync()).Should().Be(0);
    }

    private async Task ClearEmailsAndEventsAsync()
    {
        await using var db = _database.CreateDbContext();
        await db.OutgoingEmails.ExecuteDeleteAsync();
        await db.AuditEvents.ExecuteDeleteAsync();
    }
}

public sealed class AccessRequestsTestsOnSqlite() : AccessRequestsTests(DatabaseProvider.Sqlite);

public sealed class AccessRequestsTestsOnPostgreSql() : AccessRequestsTests(DatabaseProvider.PostgreSQL);
