package org.tiermark.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;

/** The one command-line entry: {@code tiermark <subcommand> [options]}; {@code --help} on each. */
public final class Tiermark {
    private Tiermark() {}

    /** Every subcommand, in the order the overview lists them. */
    static List<Command> commands() {
        return List.of(
                new SuiteCommand(),
                new VariantsCommand(),
                new DataCommand(),
                new TrainCommand(),
                new AccuracyCommand(),
                new ReportCommand(),
                new CompareCommand(),
                new AgentCommand());
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    /** Runs a subcommand and returns its exit code: 0 ok, 1 failed, 2 bad input. */
    public static int run(String[] argv) {
        Map<String, Command> byName = new LinkedHashMap<>();
        for (Command c : commands()) {
            byName.put(c.name(), c);
        }
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("help")) {
            System.out.println("usage: tiermark <command> [options]   (tiermark <command> --help for its options)\n");
            byName.values().forEach(c -> System.out.printf("  %-10s %s%n", c.name(), c.summary()));
            return argv.length == 0 ? 2 : 0;
        }
        Command c = byName.get(argv[0]);
        if (c == null) {
            System.err.println("tiermark: unknown command '" + argv[0] + "'; valid: " + String.join(", ", byName.keySet()));
            return 2;
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        if (List.of(rest).contains("--help")) {
            System.out.println(c.usage());
            return 0;
        }
        try {
            return c.run(rest);
        } catch (InvalidInputException e) {
            System.err.println("tiermark " + c.name() + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("tiermark " + c.name() + " failed: " + e);
            e.printStackTrace(System.err);
            return 1;
        }
    }
}
