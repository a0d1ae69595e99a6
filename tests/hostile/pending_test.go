package hostile

// pending lists cases that still fail, by test path, with the issue whose
// fix they wait for. A listed case skips (printing its failures) and fails
// once it passes, so each line goes with its fix. Empty when the issues
// are done.
var pending = map[string]string{}
