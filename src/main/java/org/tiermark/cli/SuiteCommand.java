package org.tiermark.cli;

/** Placeholder replaced in the next commit: the main job's launcher. */
final class SuiteCommand implements Command {
    @Override
    public String name() {
        return "suite";
    }

    @Override
    public String summary() {
        return "build missing variants, run the benchmark matrix, write results/<run>/ (what mvn -P jmh verify runs)";
    }

    @Override
    public String usage() {
        return summary();
    }

    @Override
    public int run(String[] argv) {
        throw new UnsupportedOperationException("suite: being written");
    }
}
