package org.tiermark.cli;

/** One subcommand of the {@code tiermark} command line. */
public interface Command {
    /** The subcommand's name, e.g. {@code report}. */
    String name();

    /** One line for the overview of {@code tiermark --help}. */
    String summary();

    /** The full usage text printed by {@code tiermark NAME --help}. */
    String usage();

    /**
     * Runs with the arguments after the subcommand's name (parse them with {@link Args#parse});
     * returns the process exit code: 0 ok, 1 failed, 2 bad input.
     */
    int run(String[] argv) throws Exception;
}
