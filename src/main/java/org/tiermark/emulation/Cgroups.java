package org.tiermark.emulation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU quotas and memory limits for a tier's processes, as {@code docker --cpus/--memory} sets them:
 * cgroup v2 ({@code cpu.max}, {@code memory.max}) where a v2 hierarchy has the cpu controller,
 * otherwise v1 ({@code cpu.cfs_quota_us}, {@code memory.limit_in_bytes}). Groups are made under
 * this process's own cgroup in each hierarchy, so they stay inside whatever limits it already has.
 */
final class Cgroups {
    static final long PERIOD_US = 100_000;

    /** Which hierarchy and where groups are made: {@code cpu} and {@code memory} parents (memory may be null). */
    private record Layout(String version, Path cpuParent, Path memoryParent) {}

    private final Layout layout;

    private Cgroups(Layout layout) {
        this.layout = layout;
    }

    /** The cgroups of this machine, or null when no cpu controller is reachable. */
    static Cgroups detect() {
        Path root = Path.of("/sys/fs/cgroup");
        List<String> own = readLines(Path.of("/proc/self/cgroup"));
        // v2: a unified hierarchy whose controllers include cpu (pure v2 mounts it at /sys/fs/cgroup)
        for (Path v2 : List.of(root, root.resolve("unified"))) {
            String controllers = readFirst(v2.resolve("cgroup.controllers"));
            if (controllers != null && List.of(controllers.split(" ")).contains("cpu")) {
                Path parent = v2.resolve(relative(own, "")).normalize();
                return new Cgroups(new Layout("v2", parent, List.of(controllers.split(" ")).contains("memory") ? parent : null));
            }
        }
        if (Files.exists(root.resolve("cpu/cpu.cfs_quota_us"))) {
            Path cpu = root.resolve("cpu").resolve(relative(own, "cpu")).normalize();
            Path memory = Files.exists(root.resolve("memory/memory.limit_in_bytes"))
                    ? root.resolve("memory").resolve(relative(own, "memory")).normalize() : null;
            return new Cgroups(new Layout("v1", cpu, memory));
        }
        return null;
    }

    /** This process's path in the hierarchy of {@code controller} ("" for the v2 line), without the leading slash. */
    private static String relative(List<String> own, String controller) {
        for (String line : own) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains(controller)) {
                return f[2].replaceFirst("^/", "");
            }
        }
        return "";
    }

    String version() {
        return layout.version();
    }

    /** The group directories of {@code name} (cpu first). */
    List<Path> dirs(String name) {
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(layout.cpuParent().resolve(name));
        if (layout.memoryParent() != null) {
            dirs.add(layout.memoryParent().resolve(name));
        }
        return new ArrayList<>(dirs);
    }

    /** Creates group {@code name}; {@code cpus} 0 means no quota, {@code memoryMb} 0 no limit. */
    List<Path> create(String name, double cpus, long memoryMb) {
        List<Path> dirs = dirs(name);
        try {
            for (Path d : dirs) {
                Files.createDirectory(d);
            }
            Path cpu = dirs.get(0);
            long quotaUs = cpus > 0 ? Math.max(1000, Math.round(cpus * PERIOD_US)) : -1;
            if (layout.version().equals("v2")) {
                Files.writeString(cpu.resolve("cpu.max"), (quotaUs < 0 ? "max" : Long.toString(quotaUs)) + " " + PERIOD_US);
                if (memoryMb > 0) {
                    requireMemory(name);
                    Files.writeString(cpu.resolve("memory.max"), Long.toString(memoryMb << 20));
                }
            } else {
                Files.writeString(cpu.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
                Files.writeString(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quotaUs));
                if (memoryMb > 0) {
                    requireMemory(name);
                    Files.writeString(layout.memoryParent().resolve(name).resolve("memory.limit_in_bytes"),
                            Long.toString(memoryMb << 20));
                }
            }
            return dirs;
        } catch (IOException e) {
            throw new IllegalStateException("cgroup " + version() + " '" + name + "' under " + layout.cpuParent()
                    + ": " + e.getMessage(), e);
        }
    }

    private void requireMemory(String name) {
        if (layout.memoryParent() == null) {
            throw new IllegalStateException("cgroup '" + name + "': a memory limit was asked for but the "
                    + version() + " hierarchy here has no memory controller");
        }
    }

    /** A shell fragment that moves the shell itself ({@code $$}) into group {@code name}. */
    String joinScript(String name) {
        StringBuilder s = new StringBuilder();
        for (Path d : dirs(name)) {
            s.append("echo $$ > '").append(d.resolve("cgroup.procs")).append("' && ");
        }
        return s.toString();
    }

    /** Pids in group {@code name} (empty if it does not exist). */
    List<Long> pids(String name) {
        List<Long> pids = new ArrayList<>();
        for (Path d : dirs(name)) {
            for (String l : readLines(d.resolve("cgroup.procs"))) {
                pids.add(Long.parseLong(l.strip()));
            }
        }
        return pids.stream().distinct().toList();
    }

    /** Kills every process in group {@code name} and removes its directories; true if all are gone. */
    boolean remove(String name) {
        for (int attempt = 0; attempt < 50 && !pids(name).isEmpty(); attempt++) {
            pids(name).forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
            sleep(20);
        }
        boolean gone = true;
        for (Path d : dirs(name)) {
            for (int attempt = 0; attempt < 50 && Files.exists(d); attempt++) {
                try {
                    Files.delete(d); // rmdir: the kernel's files inside go with it
                } catch (IOException e) {
                    sleep(20); // a killed process can take a moment to leave
                }
            }
            gone &= !Files.exists(d);
        }
        return gone;
    }

    /** Names of groups (under this process's parents) matching {@code pattern}. */
    Set<String> list(Pattern pattern) {
        Set<String> names = new LinkedHashSet<>();
        for (Path parent : Stream.of(layout.cpuParent(), layout.memoryParent()).filter(p -> p != null).toList()) {
            try (Stream<Path> s = Files.list(parent)) {
                s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                        .filter(n -> pattern.matcher(n).matches()).forEach(names::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    String describe() {
        return "cgroup " + layout.version() + " (cpu under " + layout.cpuParent()
                + (layout.memoryParent() == null ? ", no memory controller" : ", memory under " + layout.memoryParent()) + ")";
    }

    private static List<String> readLines(Path file) {
        try {
            return Shell.lines(Files.readString(file));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String readFirst(Path file) {
        List<String> l = readLines(file);
        return l.isEmpty() ? null : l.get(0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
