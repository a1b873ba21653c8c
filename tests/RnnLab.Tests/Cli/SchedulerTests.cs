using RnnLab.Cli;
using RnnLab.Training;

namespace RnnLab.Tests.Cli;

/// <summary>--shard auto and the default thread count, read from the environment a Slurm array or a Kubernetes indexed Job gives a task.</summary>
public sealed class SchedulerTests
{
    static Func<string, string?> Env(params (string Name, string Value)[] vars) => name => vars.FirstOrDefault(v => v.Name == name).Value;

    static (string, string)[] Slurm(int id, int min, int max, int? count = null, int? step = null) =>
    [
        ("SLURM_ARRAY_TASK_ID", $"{id}"), ("SLURM_ARRAY_TASK_MIN", $"{min}"), ("SLURM_ARRAY_TASK_MAX", $"{max}"),
        .. count is int c ? new[] { ("SLURM_ARRAY_TASK_COUNT", $"{c}") } : [],
        .. step is int s ? new[] { ("SLURM_ARRAY_TASK_STEP", $"{s}") } : [],
    ];

    [Theory]
    [InlineData(0, 0, 7, 8, 1, 0, 8)]   // --array=0-7
    [InlineData(5, 0, 7, 8, 1, 5, 8)]
    [InlineData(3, 1, 4, 4, 1, 2, 4)]   // --array=1-4: numbered from the first index
    [InlineData(6, 0, 6, 4, 2, 3, 4)]   // --array=0-6:2
    public void SlurmArrayGivesTheShard(int id, int min, int max, int count, int step, int index, int shards) =>
        Assert.Equal(new Shard(index, shards), Scheduler.ResolveShard(Env(Slurm(id, min, max, count, step)), null));

    [Fact]
    public void SlurmWithoutCountOrStepIsARange() =>
        Assert.Equal(new Shard(2, 3), Scheduler.ResolveShard(Env(Slurm(2, 0, 2)), null));

    [Fact]
    public void ShardsMakesTheArrayIndexTheShardIndex()
    {
        // one task of an 8-way sweep resubmitted alone: sbatch --array=3 ... --shards 8
        Assert.Equal(new Shard(3, 8), Scheduler.ResolveShard(Env(Slurm(3, 3, 3, 1)), 8));
        Assert.Equal(new Shard(5, 8), Scheduler.ResolveShard(Env(("JOB_COMPLETION_INDEX", "5")), 8));
    }

    [Theory]
    [InlineData("needs a Slurm job array (SLURM_ARRAY_TASK_ID) or a Kubernetes indexed Job (JOB_COMPLETION_INDEX)", null)]
    [InlineData("--shard auto in a Kubernetes indexed Job needs --shards N", "JOB_COMPLETION_INDEX=2")]
    [InlineData("JOB_COMPLETION_INDEX=8 is not below --shards 8", "JOB_COMPLETION_INDEX=8", 8)]
    [InlineData("--shard auto: JOB_COMPLETION_INDEX='x' is not a non-negative integer", "JOB_COMPLETION_INDEX=x", 2)]
    [InlineData("--shards must be a positive integer, got 0", "JOB_COMPLETION_INDEX=0", 0)]
    [InlineData("--shard auto: SLURM_ARRAY_TASK_MIN is not set", "SLURM_ARRAY_TASK_ID=1")]
    [InlineData("needs an array that is one range", "SLURM_ARRAY_TASK_ID=3;SLURM_ARRAY_TASK_MIN=1;SLURM_ARRAY_TASK_MAX=7;SLURM_ARRAY_TASK_COUNT=3")]
    public void BadEnvironmentIsOneLineNamingIt(string expected, string? env, int? shards = null)
    {
        var vars = (env ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(v => (v.Split('=')[0], v.Split('=')[1])).ToArray();
        var e = Assert.Throws<UsageException>(() => Scheduler.ResolveShard(Env(vars), shards));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ShardsWithAnExplicitShardIsAnError() =>
        Assert.Contains("--shards goes with --shard auto", Assert.Throws<UsageException>(() => Scheduler.ParseShard("1/4", 4, Env())).Message);

    [Fact]
    public void ThreadsFollowTheSlurmGrant()
    {
        Assert.Equal(Environment.ProcessorCount, Scheduler.GrantedCpus(Env()));
        Assert.Equal(1, Scheduler.GrantedCpus(Env(("SLURM_CPUS_PER_TASK", "1"))));
        // a grant above what the process can see does not invent cores
        Assert.Equal(Environment.ProcessorCount, Scheduler.GrantedCpus(Env(("SLURM_CPUS_PER_TASK", "512"))));
    }

    [Fact]
    public void ShardAutoOutsideASchedulerIsExitTwoAndWritesNothing()
    {
        if (Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID") is not null || Environment.GetEnvironmentVariable("JOB_COMPLETION_INDEX") is not null)
            Assert.Fail("these tests must run outside a job array (SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX is set)");
        string dir = Path.Combine(Path.GetTempPath(), $"rnnlab-auto-{Guid.NewGuid():N}");
        var (code, _, err) = CliErrorTests.Run("experiment", "copy", "--preset", "test", "--shard", "auto", "--out", dir);
        Assert.Equal(2, code);
        Assert.StartsWith("rnnlab: --shard auto needs a Slurm job array", err);
        Assert.False(Directory.Exists(dir));
    }
}
