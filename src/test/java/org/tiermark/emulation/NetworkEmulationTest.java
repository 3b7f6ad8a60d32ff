package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Real namespaces, veth links, tbf and cgroups (Linux, root; skipped elsewhere, where {@link NetworkEmulation#missing()}
 * names what is missing). Every test checks that nothing tagged with its run id is left, also after a failure
 * midway and after the owning process was killed.
 */
@EnabledIf("supported")
class NetworkEmulationTest {
    static boolean supported() {
        return NetworkEmulation.missing().isEmpty();
    }

    /** cubic where the host lets namespaces pin it, otherwise reno (always allowed): see docs/emulation.md. */
    static String congestionControl() {
        String allowed = Shell.run("sysctl", "-n", "net.ipv4.tcp_allowed_congestion_control");
        return List.of(allowed.strip().split(" ")).contains("cubic") ? "cubic" : "reno";
    }

    private static final List<NetworkEmulation.TierSpec> TIERS = List.of(
            new NetworkEmulation.TierSpec("mobile", 0.5, 256), new NetworkEmulation.TierSpec("edge", 0, 0));

    @Test
    void setsUpShapesAndTearsDownCompletely() throws Exception {
        String run;
        double mbps = 50;
        long bytes = 1 << 20;
        List<Long> nanos = new ArrayList<>();
        List<NetworkEmulation.TierSpec> tiers = new ArrayList<>(TIERS);
        // a tier with a quota small enough to bind even when the loaded machine gives a busy loop little CPU
        tiers.add(new NetworkEmulation.TierSpec("busy", 0.05, 0));
        try (NetworkEmulation e = NetworkEmulation.create(tiers,
                List.of(new NetworkEmulation.LinkSpec("mobile", "edge", mbps)), congestionControl())) {
            run = e.runId();
            String mobile = e.namespace("mobile");
            String edge = e.namespace("edge");
            assertTrue(NetworkEmulation.namespaces().containsAll(List.of(mobile, edge)));
            NetworkEmulation.Link link = e.links().get(0);
            assertEquals("198.18.0.1", link.fromAddress());
            assertEquals("198.18.0.2", e.address("edge", "mobile"));
            for (String ns : List.of(mobile, edge)) {
                String routes = Shell.run("ip", "-n", ns, "route", "show");
                assertFalse(routes.contains("default"), "no route out of " + ns + ": " + routes);
                assertEquals(congestionControl(), Shell.run("ip", "netns", "exec", ns, "sysctl", "-n",
                        "net.ipv4.tcp_congestion_control").strip());
            }
            assertTrue(Shell.run("tc", "-n", mobile, "qdisc", "show", "dev", link.fromInterface()).contains("tbf"));
            assertTrue(Shell.run("tc", "-n", edge, "qdisc", "show", "dev", link.toInterface()).contains("rate 50Mbit"));

            Process sink = e.start("edge", java("sink", "7000"), ProcessBuilder.Redirect.PIPE);
            String ready = new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("sink ready 7000", ready);
            // the sender runs inside the mobile tier's cgroup: its quota file says 0.5 CPU
            Process send = e.start("mobile", java("send", link.toAddress(), "7000", Long.toString(bytes), "3"),
                    ProcessBuilder.Redirect.PIPE);
            BufferedReader out = new BufferedReader(new InputStreamReader(send.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                nanos.add(Long.parseLong(line.strip()));
            }
            assertTrue(send.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, send.exitValue());
            assertEquals(3, nanos.size(), "three transfers timed");
            assertCpuQuotaBites(e);
        }
        assertNothingLeft(run);
        // 1 MB at 50 Mbit/s: tbf's rate on wire bytes (headers included) bounds it from below, within 1 ms of burst
        double expected = Tbf.forBandwidth(mbps, 1500).transferNanos(bytes);
        System.out.printf("1 MB over %.0f Mbit/s (%s): %s ns; tbf predicts %.0f ns%n", mbps, run, nanos, expected);
        long best = nanos.stream().mapToLong(Long::longValue).min().orElseThrow();
        assertTrue(best > expected * 0.95 && best < expected * 1.25,
                "1 MB took " + best / 1e6 + " ms, tbf's rate predicts " + expected / 1e6 + " ms");
    }

    /** The mobile tier's 0.5 CPU and 256 MB are in its cgroup files; a busy loop in the 0.05-CPU tier is throttled. */
    private static void assertCpuQuotaBites(NetworkEmulation e) throws Exception {
        List<Path> dirs = e.cgroupDirs("mobile");
        assertFalse(dirs.isEmpty(), "cgroups exist");
        Path cpu = dirs.get(0);
        boolean v2 = Files.exists(cpu.resolve("cpu.max"));
        if (v2) {
            assertEquals("50000 100000", Files.readString(cpu.resolve("cpu.max")).strip());
            assertEquals(Long.toString(256L << 20), Files.readString(cpu.resolve("memory.max")).strip());
        } else {
            assertEquals("50000", Files.readString(cpu.resolve("cpu.cfs_quota_us")).strip());
            assertEquals(Long.toString(256L << 20), Files.readString(dirs.get(1).resolve("memory.limit_in_bytes")).strip());
        }
        cpu = e.cgroupDirs("busy").get(0);
        Process busy = e.start("busy", List.of("sh", "-c", "while :; do :; done"), ProcessBuilder.Redirect.DISCARD);
        Thread.sleep(1500);
        String procs = Files.readString(cpu.resolve("cgroup.procs"));
        assertTrue(procs.contains(Long.toString(busy.pid())), "the process joined its tier's cgroup: " + procs);
        String stat = Files.readString(cpu.resolve("cpu.stat"));
        long throttled = stat.lines().filter(l -> l.startsWith("nr_throttled ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                .findFirst().orElse(0);
        assertTrue(throttled > 0, "a busy loop under 0.05 CPU is throttled: " + stat);
        busy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    @Test
    void aLinkWithRoundTripTimeIsAPacketLinkWhoseHandshakePaysIt() throws Exception {
        String run;
        List<Long> nanos = new ArrayList<>();
        try (NetworkEmulation e = NetworkEmulation.create(TIERS,
                List.of(new NetworkEmulation.LinkSpec("mobile", "edge", 50, 20)), congestionControl())) {
            run = e.runId();
            NetworkEmulation.Link link = e.links().get(0);
            // a packet link (TUN devices) on a kernel without netem, as here; a netem-delayed veth where it has netem
            assertEquals(e.netem() ? NetworkEmulation.DELAY_NETEM : NetworkEmulation.DELAY_PACKET, link.delay());
            assertTrue(e.netem() || Shell.run("ip", "-n", e.namespace("mobile"), "-d", "link", "show", link.fromInterface()).contains("tun"),
                    "a TUN device");
            assertTrue(Shell.run("tc", "-n", e.namespace("edge"), "qdisc", "show", "dev", link.toInterface()).contains("rate 50Mbit"));
            Process sink = e.start("edge", java("sink", "7000"), ProcessBuilder.Redirect.PIPE);
            assertEquals("sink ready 7000", new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8)).readLine());
            InetSocketAddress via = e.reach("mobile", "edge", 7000);
            assertEquals(new InetSocketAddress(e.address("edge", "mobile"), 7000), via, "the server itself: the delay is on the link");
            Process send = e.start("mobile", java("send", via.getHostString(), "7000", "1000", "5", "new-connection"),
                    ProcessBuilder.Redirect.PIPE);
            BufferedReader out = new BufferedReader(new InputStreamReader(send.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                nanos.add(Long.parseLong(line.strip()));
            }
            assertTrue(send.waitFor(30, TimeUnit.SECONDS));
        }
        assertNothingLeft(run);
        assertEquals(5, nanos.size());
        List<Long> sorted = nanos.stream().sorted().toList();
        System.out.printf("1000 bytes and a 1-byte answer on new connections over 50 Mbit/s with a 20 ms round trip: %s ns%n", nanos);
        // the handshake's round trip, then the message's and its answer's: never less than 40 ms (a stream relay in front
        // of the server answers the handshake at once: 20 ms); the fastest of five against a ceiling, as load only adds
        assertTrue(sorted.get(0) > 39_500_000L, "fastest " + sorted.get(0) / 1e6 + " ms");
        assertTrue(sorted.get(0) < 60_000_000L, "fastest " + sorted.get(0) / 1e6 + " ms: a round trip paid twice?");
    }

    @Test
    void failureMidwayLeavesNothing() {
        List<String> runs = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (NetworkEmulation em = NetworkEmulation.create(TIERS,
                    List.of(new NetworkEmulation.LinkSpec("mobile", "edge", 10)), congestionControl())) {
                runs.add(em.runId());
                em.start("edge", List.of("sleep", "60"), ProcessBuilder.Redirect.DISCARD);
                throw new IllegalStateException("a benchmark failed midway");
            }
        });
        assertEquals("a benchmark failed midway", e.getMessage());
        assertNothingLeft(runs.get(0));
    }

    @Test
    void aCongestionControlTheHostForbidsIsRefusedClearly() {
        String allowed = Shell.run("sysctl", "-n", "net.ipv4.tcp_allowed_congestion_control").strip();
        String forbidden = List.of("cubic", "reno", "bbr").stream().filter(c -> !List.of(allowed.split(" ")).contains(c))
                .findFirst().orElse(null);
        if (forbidden == null || !Shell.run("sysctl", "-n", "net.ipv4.tcp_available_congestion_control").contains(forbidden)) {
            return; // every available algorithm is allowed here: nothing to refuse
        }
        Path owners = NetworkEmulation.OWNERS;
        EmulationUnavailableException e = assertThrows(EmulationUnavailableException.class,
                () -> NetworkEmulation.create(TIERS, List.of(), forbidden));
        assertTrue(e.getMessage().contains("cannot pin TCP congestion control '" + forbidden + "'")
                && e.getMessage().contains(allowed), e.getMessage());
        assertTrue(Files.isDirectory(owners));
    }

    @Test
    void killedRunIsRemovedAtTheNextStartAndSigtermCleansUp() throws Exception {
        // SIGKILL: no hook runs, the set stays until the next start finds it by its tag and dead owner
        Process killed = holder();
        String run = readRun(killed);
        // a packet delay line between the set's namespaces that does not go with its run (this test holds its input):
        // the stale-set removal finds it by the namespaces on its command line and stops it
        Path netns = Path.of("/run/netns");
        Process line = new ProcessBuilder(PacketDelayLine.command(netns.resolve(NetworkEmulation.TAG + "-" + run + "-mobile"), "tm" + run + "x0a",
                netns.resolve(NetworkEmulation.TAG + "-" + run + "-edge"), "tm" + run + "x0b", 1)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertEquals("packet delay line ready", new BufferedReader(new InputStreamReader(line.getInputStream(), StandardCharsets.UTF_8)).readLine());
        killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertTrue(NetworkEmulation.namespaces().stream().anyMatch(n -> n.contains(run)), "left behind by the killed run");
        assertTrue(line.isAlive(), "the extra line outlives the killed run");
        assertTrue(NetworkEmulation.removeStale().contains(run));
        assertTrue(line.waitFor(10, TimeUnit.SECONDS), "the stale set's packet delay line was stopped");
        assertNothingLeft(run);

        // SIGTERM: the shutdown hook removes the set
        Process stopped = holder();
        String run2 = readRun(stopped);
        stopped.destroy();
        assertTrue(stopped.waitFor(30, TimeUnit.SECONDS));
        assertNothingLeft(run2);
    }

    private static Process holder() throws Exception {
        // its link has a round trip: a packet link, whose line process and TUN devices must go too
        return new ProcessBuilder(javaCommand(EmulationHolder.class.getName(), congestionControl(), "20"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String readRun(Process p) throws Exception {
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("run "), "holder printed " + line);
        return line.substring(4);
    }

    private static List<String> java(String... args) {
        List<String> a = new ArrayList<>(List.of(LinkProbe.class.getName()));
        a.addAll(List.of(args));
        return javaCommand(a.toArray(String[]::new));
    }

    private static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static void assertNothingLeft(String run) {
        assertTrue(NetworkEmulation.namespaces().stream().noneMatch(n -> n.contains("-" + run + "-")),
                "namespaces left: " + NetworkEmulation.namespaces());
        assertTrue(ProcessHandle.allProcesses().map(EmulationSets::commandLine).noneMatch(c -> c.contains(PacketDelayLine.class.getName())
                && c.contains(NetworkEmulation.TAG + "-" + run + "-")), "a packet delay line of run " + run + " still runs");
        String links = Shell.run("ip", "-o", "link", "show");
        assertFalse(links.contains("tm" + run), "interfaces left in the host: " + links);
        for (String hierarchy : List.of("cpu", "memory", "unified")) {
            Path root = Path.of("/sys/fs/cgroup", hierarchy);
            if (Files.isDirectory(root)) {
                try (var walk = Files.walk(root, 4)) {
                    List<Path> left = walk.filter(p -> p.getFileName().toString().contains(NetworkEmulation.TAG + "-" + run)).toList();
                    assertTrue(left.isEmpty(), "cgroups left: " + left);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        assertFalse(Files.exists(NetworkEmulation.OWNERS.resolve(run + ".owner")), "owner file left");
    }
}
