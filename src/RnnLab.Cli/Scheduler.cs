using System.Globalization;
using RnnLab.Numerics;
using RnnLab.Training;

namespace RnnLab.Cli;

/// <summary>
/// What a cluster scheduler tells a process through its environment: which shard of a job array it is
/// (<c>--shard auto</c>) and how many CPUs it was granted (the default <c>--threads</c>). Slurm exports
/// <c>SLURM_ARRAY_TASK_ID</c>, <c>_MIN</c>, <c>_MAX</c>, <c>_STEP</c>, <c>_COUNT</c> and <c>SLURM_CPUS_PER_TASK</c>;
/// a Kubernetes indexed Job exports only <c>JOB_COMPLETION_INDEX</c>, so there the shard count comes from
/// <c>--shards N</c>.
/// </summary>
public static class Scheduler
{
    /// <summary>The value of <c>--shard</c> that asks the scheduler.</summary>
    public const string AutoShard = "auto";

    /// <summary>
    /// The shard this task is. With <paramref name="shards"/> the task's own index (Slurm's array index or Kubernetes'
    /// completion index) is the shard index, so one task of a Slurm array can be resubmitted alone
    /// (<c>sbatch --array=3 … --shards 8</c>). Without it, a Slurm array's tasks are numbered from its first index in
    /// its steps, and its task count is the shard count.
    /// </summary>
    public static Shard ResolveShard(Func<string, string?> env, int? shards)
    {
        if (shards is < 1) throw new UsageException($"--shards must be a positive integer, got {shards}");
        if (env("SLURM_ARRAY_TASK_ID") is not null)
        {
            int id = Read(env, "SLURM_ARRAY_TASK_ID");
            if (shards is int n) return Within(id, "SLURM_ARRAY_TASK_ID", n);
            int min = Read(env, "SLURM_ARRAY_TASK_MIN"), max = Read(env, "SLURM_ARRAY_TASK_MAX");
            int step = env("SLURM_ARRAY_TASK_STEP") is null ? 1 : Read(env, "SLURM_ARRAY_TASK_STEP");
            if (step < 1 || max < min || id < min || id > max || (id - min) % step != 0)
                throw new UsageException($"SLURM_ARRAY_TASK_ID={id} is not in the array {min}-{max}:{step}");
            int count = (max - min) / step + 1;
            if (env("SLURM_ARRAY_TASK_COUNT") is not null && Read(env, "SLURM_ARRAY_TASK_COUNT") != count)
                throw new UsageException($"--shard auto needs an array that is one range ({min}-{max}:{step} has {count} indices, " +
                    $"SLURM_ARRAY_TASK_COUNT says {Read(env, "SLURM_ARRAY_TASK_COUNT")}): give --shards N to use the array indices as shard indices");
            return new Shard((id - min) / step, count);
        }
        if (env("JOB_COMPLETION_INDEX") is not null)
        {
            int index = Read(env, "JOB_COMPLETION_INDEX");
            if (shards is not int n)
                throw new UsageException("--shard auto in a Kubernetes indexed Job needs --shards N (the Job's completions): Kubernetes does not export it");
            return Within(index, "JOB_COMPLETION_INDEX", n);
        }
        throw new UsageException("--shard auto needs a Slurm job array (SLURM_ARRAY_TASK_ID) or a Kubernetes indexed Job (JOB_COMPLETION_INDEX); elsewhere give --shard i/n");
    }

    /// <summary>
    /// <c>--shard</c> as given: <c>auto</c> asks the scheduler, anything else is <c>i/n</c>. <c>--shards</c> goes only with
    /// <c>auto</c> (with <c>i/n</c> it would say the count twice).
    /// </summary>
    public static Shard ParseShard(string text, int? shards, Func<string, string?>? env = null)
    {
        if (text == AutoShard) return ResolveShard(env ?? Environment.GetEnvironmentVariable, shards);
        if (shards is not null) throw new UsageException($"--shards goes with --shard auto; --shard {text} already names the count");
        return Shard.Parse(text);
    }

    /// <summary>
    /// The default <c>--threads</c>: the cores this process may use (<see cref="Parallelism.DefaultThreads"/>: its
    /// affinity mask and a container's CPU quota), and no more than a Slurm task was granted (<c>SLURM_CPUS_PER_TASK</c>:
    /// without a cgroup plugin a task sees every core of its node).
    /// </summary>
    public static int GrantedCpus(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        int cpus = Parallelism.DefaultThreads;
        if (int.TryParse(env("SLURM_CPUS_PER_TASK"), NumberStyles.None, CultureInfo.InvariantCulture, out int granted) && granted > 0)
            cpus = Math.Min(cpus, granted);
        return cpus;
    }

    static Shard Within(int index, string variable, int shards) => index < shards
        ? new Shard(index, shards)
        : throw new UsageException($"{variable}={index} is not below --shards {shards}");

    static int Read(Func<string, string?> env, string variable)
    {
        string? text = env(variable);
        if (text is null) throw new UsageException($"--shard auto: {variable} is not set (is this a job array?)");
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new UsageException($"--shard auto: {variable}='{text}' is not a non-negative integer");
    }
}
