package org.tiermark.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.tiermark.onnx.OnnxModels;

/**
 * A pinned Debian package used as a source of data when it is not installed: fetched by
 * {@code apt-get download name=version} into the build folder, checked against its pinned SHA-256 and
 * unpacked with {@code dpkg-deb -x}; the wanted files are then copied to a folder published by a rename.
 * On a system without apt, the build says what to install instead.
 *
 * @param name    package name, e.g. {@code dataset-fashion-mnist}
 * @param version exact Debian version
 * @param sha256  SHA-256 of the {@code .deb}
 */
public record DebianPackage(String name, String version, String sha256) {
    /** Fashion-MNIST (Zalando, MIT): the four gzipped idx files under /usr/share/datasets/fashion-mnist. */
    public static final DebianPackage FASHION_MNIST = new DebianPackage("dataset-fashion-mnist", "0.0~git20200523.55506a9-1",
            "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0");

    /**
     * Downloads and unpacks the package under {@code work}, then publishes {@code files} (paths inside
     * the package's {@code folder}) into {@code out}; returns false, with what to do printed, when apt
     * is missing or the download fails.
     */
    public boolean fetch(Path work, String folder, List<String> files, Path out) throws IOException {
        Files.createDirectories(work);
        Path deb;
        try (Stream<Path> s = Files.list(work)) {
            deb = s.filter(p -> p.getFileName().toString().startsWith(name + "_") && p.toString().endsWith(".deb"))
                    .findFirst().orElse(null);
        }
        if (deb == null) {
            if (!run(work, "apt-get", "download", name + "=" + version)) {
                System.out.println("[tiermark] WARNING: could not fetch the Debian package " + name + "=" + version
                        + " with apt-get download; install it (apt-get install " + name + ") or put its files "
                        + String.join(", ", files) + " in a folder and pass -Dtiermark.fashionMnist=FOLDER");
                return false;
            }
            try (Stream<Path> s = Files.list(work)) {
                deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElseThrow();
            }
        }
        String actual = OnnxModels.sha256(deb);
        if (!actual.equals(sha256)) {
            Files.delete(deb);
            throw new IOException(deb + ": SHA-256 " + actual + " is not the pinned " + sha256 + " of " + name + "=" + version
                    + " (deleted; a different package was downloaded)");
        }
        Path unpacked = work.resolve("unpacked");
        if (!run(work, "dpkg-deb", "-x", deb.toString(), unpacked.toString())) {
            throw new IOException("dpkg-deb -x " + deb + " failed");
        }
        Path staging = out.resolveSibling(out.getFileName() + ".partial");
        Files.createDirectories(staging);
        for (String f : files) {
            Files.copy(unpacked.resolve(folder.replaceFirst("^/", "")).resolve(f), staging.resolve(f),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private static boolean run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
            return p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
