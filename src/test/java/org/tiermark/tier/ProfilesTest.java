package org.tiermark.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;

class ProfilesTest {
    static final Path SHIPPED = Path.of(System.getProperty("tiermark.home", ".")).resolve("profiles");

    @TempDir
    Path dir;

    @Test
    void shippedProfilesFollowTheStudies() {
        Profiles p = Profiles.load(SHIPPED);
        assertEquals(List.of("cloud", "edge", "mobile"), List.copyOf(p.tiers().keySet()));
        assertEquals(200.0, p.links().get("mobile-edge").bandwidthMbps());
        assertEquals(1.0, p.links().get("edge-cloud").bandwidthMbps());
        // mobile 4 : edge 8 : cloud 16 CPUs, the measuring machine standing in for the cloud
        assertEquals(0.25, p.tier("mobile").relativeSpeed());
        assertEquals(0.5, p.tier("edge").relativeSpeed());
        assertEquals(1.0, p.tier("cloud").relativeSpeed());
        assertEquals(List.of("mobile", "edge"), p.deployment("mobile-edge").stages());
        assertEquals(6, p.deployments().size());
    }

    @Test
    void hopsGoFromMobileThroughTheStagesAndBack() {
        Profiles p = Profiles.load(SHIPPED);
        List<Profiles.Hop> hops = p.hops(p.deployment("cloud"));
        assertEquals(2, hops.size());
        assertEquals("mobile>cloud", hops.get(0).label());
        assertEquals(List.of("mobile-edge", "edge-cloud"), hops.get(0).links().stream().map(LinkProfile::name).toList());
        assertEquals(List.of("edge-cloud", "mobile-edge"), hops.get(1).links().stream().map(LinkProfile::name).toList());
        List<Profiles.Hop> mobile = p.hops(p.deployment("mobile"));
        assertTrue(mobile.stream().allMatch(h -> h.links().isEmpty()), "a mobile deployment crosses no link");
        List<Profiles.Hop> split = p.hops(p.deployment("edge-cloud"));
        assertEquals(List.of("mobile>edge", "edge>cloud", "cloud>mobile"), split.stream().map(Profiles.Hop::label).toList());
    }

    @Test
    void aNewTierIsAJsonFile() throws IOException {
        copyShipped();
        write("tiers/watch.json", """
                {"name": "watch", "intraOpThreads": 1, "interOpThreads": 1, "relativeSpeed": 0.1, "memoryBudgetMb": 512}""");
        write("links/watch-mobile.json", """
                {"name": "watch-mobile", "from": "watch", "to": "mobile", "bandwidthMbps": 2, "rttMs": 10}""");
        write("deployments/watch.json", """
                {"name": "watch", "stages": ["watch"]}""");
        Profiles p = Profiles.load(dir);
        assertEquals(0.1, p.tier("watch").relativeSpeed());
        assertEquals(DeploymentProfile.FirstHop.RAW, p.deployment("watch").firstHop());
        assertEquals("watch-mobile", p.hops(p.deployment("watch")).get(0).links().get(0).name());
    }

    @Test
    void badFieldsAreNamedWithTheirFile() throws IOException {
        copyShipped();
        write("tiers/edge.json", """
                {"name": "edge", "intraOpThreads": 0, "interOpThreads": 1, "relativeSpeed": 0.5, "memoryBudgetMb": 16384}""");
        String m = assertThrows(InvalidInputException.class, () -> Profiles.load(dir)).getMessage();
        assertTrue(m.contains("edge.json") && m.contains("intraOpThreads"), m);

        write("tiers/edge.json", """
                {"name": "edge", "intraOpThreads": 1, "interOpThreads": 1, "memoryBudgetMb": 16384}""");
        m = assertThrows(InvalidInputException.class, () -> Profiles.load(dir)).getMessage();
        assertTrue(m.contains("edge.json") && m.contains("relativeSpeed"), m);

        write("tiers/edge.json", """
                {"name": "edge", "intraOpThreads": 1, "interOpThreads": 1, "relativeSpeed": 0.5, "memoryBudgetMb": 1, "speed": 2}""");
        m = assertThrows(InvalidInputException.class, () -> Profiles.load(dir)).getMessage();
        assertTrue(m.contains("unknown field 'speed'") && m.contains("relativeSpeed"), m);

        write("tiers/edge.json", "{\"name\": \"edge\", ");
        m = assertThrows(InvalidInputException.class, () -> Profiles.load(dir)).getMessage();
        assertTrue(m.contains("edge.json") && m.contains("not valid JSON"), m);

        write("tiers/edge.json", """
                {"name": "edgy", "intraOpThreads": 1, "interOpThreads": 1, "relativeSpeed": 0.5, "memoryBudgetMb": 1}""");
        m = assertThrows(InvalidInputException.class, () -> Profiles.load(dir)).getMessage();
        assertTrue(m.contains("must equal the file name 'edge'"), m);
    }

    @Test
    void unknownTiersAndUnreachableStagesAreRefused() throws IOException {
        copyShipped();
        write("deployments/fog.json", """
                {"name": "fog", "stages": ["fog"]}""");
        String m = assertThrows(InvalidInputException.class, () -> Profiles.load(dir)).getMessage();
        assertTrue(m.contains("unknown tier 'fog'") && m.contains("cloud, edge, mobile"), m);

        Files.delete(dir.resolve("deployments/fog.json"));
        Files.delete(dir.resolve("links/edge-cloud.json"));
        m = assertThrows(InvalidInputException.class, () -> Profiles.load(dir)).getMessage();
        assertTrue(m.contains("no link path from tier 'mobile' to tier 'cloud'"), m);

        Profiles p = Profiles.load(SHIPPED);
        m = assertThrows(InvalidInputException.class, () -> p.deployment("moon")).getMessage();
        assertTrue(m.contains("unknown deployment 'moon'") && m.contains("mobile-edge"), m);
    }

    @Test
    void linksRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new LinkProfile("x", "mobile", "edge", 0, 1, 0, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new LinkProfile("x", "mobile", "mobile", 1, 1, 0, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new LinkProfile("x", "mobile", "edge", 1, -1, 0, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new LinkProfile("x", "mobile", "edge", 1, 1, -2, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new TierProfile("Edge", 1, 1, 1, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new DeploymentProfile("d", List.of(), null, null));
    }

    private void copyShipped() throws IOException {
        for (String sub : List.of("tiers", "links", "deployments")) {
            Files.createDirectories(dir.resolve(sub));
            try (var s = Files.list(SHIPPED.resolve(sub))) {
                for (Path f : s.toList()) {
                    Files.copy(f, dir.resolve(sub).resolve(f.getFileName()));
                }
            }
        }
    }

    private void write(String relative, String json) throws IOException {
        Files.writeString(dir.resolve(relative), json);
    }
}
