// The micro costs of token authentication, with BenchmarkDotNet. Run with bench/micro.sh.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

var config = DefaultConfig.Instance.WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
var summary = BenchmarkRunner.Run<TokenAuthenticationBenchmarks>(config, args);
return summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success) ? 1 : 0;
