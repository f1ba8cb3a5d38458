using Xunit.Abstractions;
using Xunit.Sdk;

namespace BeatPass.Tests.EndToEnd;

/// <summary>
/// A browser test: when it fails, a screenshot and the HTML of every page it opened are saved to
/// <c>BeatPass.Tests/TestResults/failures/</c>, so a failure in CI can be looked at, not only read.
/// </summary>
[XunitTestCaseDiscoverer("BeatPass.Tests.EndToEnd.BrowserFactDiscoverer", "BeatPass.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute;

public sealed class BrowserFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        [new BrowserTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}

public sealed class BrowserTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public BrowserTestCase()
    {
    }

    public BrowserTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod)
        : base(diagnosticMessageSink, display, options, testMethod)
    {
    }

    public override async Task<RunSummary> RunAsync(
        IMessageSink diagnosticMessageSink, IMessageBus messageBus, object[] constructorArguments,
        ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
    {
        var browser = constructorArguments.OfType<BrowserFixture>().Single();
        browser.BeginTest();
        var summary = await base.RunAsync(diagnosticMessageSink, messageBus, constructorArguments, aggregator, cancellationTokenSource);
        if (summary.Failed > 0)
        {
            await browser.SaveFailureAsync(TestMethod.Method.Name);
        }

        await browser.EndTestAsync();

        return summary;
    }
}
