namespace RnnLab.Tasks;

/// <summary>The agreement task's label: 0 singular (verb "was"), 1 plural ("were").</summary>
public enum GrammaticalNumber { Singular = 0, Plural = 1 }
