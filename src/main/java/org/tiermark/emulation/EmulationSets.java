package org.tiermark.emulation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * The sets of namespaces and cgroups that {@link NetworkEmulation} runs leave on the machine, found by
 * the project's tag and run id, and their removal. A set belongs to a live run while its owner file
 * names a running process with the recorded start time; otherwise it is stale.
 */
final class EmulationSets {
    private EmulationSets() {}

    /** Removes every set tagged {@value NetworkEmulation#TAG} whose owner process is gone; returns their run ids. */
    static Set<String> removeStale() {
        Cgroups cgroups = Cgroups.detect();
        Set<String> runs = new TreeSet<>();
        for (String ns : namespaces()) {
            runs.add(runOf(ns));
        }
        if (cgroups != null) {
            cgroups.list(NetworkEmulation.NAME).forEach(n -> runs.add(runOf(n)));
        }
        try (var owners = Files.isDirectory(NetworkEmulation.OWNERS) ? Files.list(NetworkEmulation.OWNERS) : Stream.<Path>empty()) {
            owners.map(p -> p.getFileName().toString()).filter(n -> n.matches("[a-z0-9]{6}\\.owner"))
                    .forEach(n -> runs.add(n.substring(0, 6)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + NetworkEmulation.OWNERS + ": " + e.getMessage(), e);
        }
        Set<String> removed = new TreeSet<>();
        for (String run : runs) {
            if (!ownerAlive(run)) {
                remove(run, cgroups);
                removed.add(run);
            }
        }
        return removed;
    }

    /** Namespaces with this project's tag (of any run). */
    static List<String> namespaces() {
        List<String> out = new ArrayList<>();
        for (String line : Shell.lines(Shell.run("ip", "netns", "list"))) {
            String name = line.split(" ")[0];
            if (NetworkEmulation.NAME.matcher(name).matches()) {
                out.add(name);
            }
        }
        return out;
    }

    private static String runOf(String name) {
        Matcher m = NetworkEmulation.NAME.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException(name);
        }
        return m.group(1);
    }

    private static boolean ownerAlive(String run) {
        Path file = NetworkEmulation.OWNERS.resolve(run + ".owner");
        try {
            String[] f = Files.readString(file).strip().split(" ");
            long pid = Long.parseLong(f[0]);
            long start = Long.parseLong(f[1]);
            return ProcessHandle.of(pid).filter(h -> startMillis(h) == start).isPresent();
        } catch (IOException | RuntimeException e) {
            return false; // no readable owner: nobody can be using the set
        }
    }

    /** Removes run {@code run}'s set: processes in its namespaces, cgroups, namespaces (with their interfaces and qdiscs), owner file. */
    static void remove(String run, Cgroups cgroups) {
        String prefix = NetworkEmulation.TAG + "-" + run + "-";
        List<String> problems = new ArrayList<>();
        stopPacketDelayLines(prefix);
        for (String ns : namespaces()) {
            if (!ns.startsWith(prefix)) {
                continue;
            }
            // processes still inside the namespace (started there by this run): stop them first
            for (String pid : Shell.lines(Shell.tryRun("ip", "netns", "pids", ns).out())) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (cgroups != null && !cgroups.remove(ns)) {
                problems.add("cgroup " + ns);
            }
            Shell.Result r = Shell.tryRun("ip", "netns", "delete", ns);
            if (r.exit() != 0) {
                problems.add("namespace " + ns + ": " + r.err().strip());
            }
        }
        // the requester's end in the host's namespace goes with its peer's namespace; a half-removed set may keep it
        String host = NetworkEmulation.hostInterface(run);
        if (Shell.tryRun("ip", "link", "show", host).exit() == 0) {
            Shell.Result r = Shell.tryRun("ip", "link", "delete", host);
            if (r.exit() != 0) {
                problems.add("interface " + host + ": " + r.err().strip());
            }
        }
        if (cgroups != null) {
            for (String name : cgroups.list(NetworkEmulation.NAME)) {
                if (name.startsWith(prefix) && !cgroups.remove(name)) {
                    problems.add("cgroup " + name);
                }
            }
        }
        try {
            Files.deleteIfExists(NetworkEmulation.OWNERS.resolve(run + ".owner"));
        } catch (IOException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            System.err.println("tiermark emulation " + run + ": could not remove " + String.join("; ", problems));
        }
    }

    /**
     * Stops the {@link PacketDelayLine}s between namespaces named {@code prefix}...: they run in the host's namespace (so
     * {@code ip netns pids} does not list them) and their TUN devices, which hold the namespaces, go with them. A line
     * whose run was killed normally exits by itself (its standard input closes); this catches one that did not.
     */
    private static void stopPacketDelayLines(String prefix) {
        String line = PacketDelayLine.class.getName();
        String namespace = "/" + prefix;
        List<ProcessHandle> lines = ProcessHandle.allProcesses().filter(h -> {
            String cmd = commandLine(h);
            return cmd.contains(line) && cmd.contains(namespace);
        }).toList();
        lines.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : lines) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                System.err.println("tiermark emulation: packet delay line " + h.pid() + " did not exit within 5 s");
            }
        }
    }

    /** The command line of {@code h} as the kernel has it (whole, NULs as spaces), or "" when it cannot be read. */
    static String commandLine(ProcessHandle h) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(i -> i.toEpochMilli()).orElse(-1L);
    }
}
