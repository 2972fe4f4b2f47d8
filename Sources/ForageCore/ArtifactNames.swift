/// Names of the files trials leave behind, shared by the trainers that write them and the store layout that
/// finds them.
public enum ArtifactNames {
    /// The file a built-in trainer saves its model to, in the trial's folder.
    public static let model = "model.forage"
}
