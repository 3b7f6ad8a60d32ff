package org.tiermark.suite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/** The benchmarks this build has, as JMH's annotation processor listed them ({@code META-INF/BenchmarkList}). */
public final class JmhBenchmarks {
    private static final String LIST = BenchmarkList.BENCHMARK_LIST.substring(1);

    private JmhBenchmarks() {}

    /**
     * Every benchmark on the classpath as {@code SimpleClass.method}; empty when the list is not on the
     * classpath (the JMH sources were not compiled), so that nothing is refused for a missing build.
     */
    public static Set<String> available() {
        Set<String> out = new TreeSet<>();
        try (InputStream in = JmhBenchmarks.class.getClassLoader().getResourceAsStream(LIST)) {
            if (in == null) {
                return out;
            }
            for (BenchmarkListEntry e : BenchmarkList.readBenchmarkList(in)) {
                String cls = e.getUserClassQName();
                out.add(cls.substring(cls.lastIndexOf('.') + 1) + "." + e.getUsername().substring(cls.length() + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + LIST + " from the classpath", e);
        }
        return out;
    }
}
