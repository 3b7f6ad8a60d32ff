package org.tiermark.train.text;

import ai.djl.huggingface.tokenizers.Encoding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.tiermark.data.SpamCorpus;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.onnx.Sessions;

/**
 * Labelled texts tokenized once, as the benchmarks and the accuracy step tokenize them (padded and
 * truncated to the model's sequence length), row-major {@code [n, sequence]}.
 *
 * @param sha256 of the texts and labels in order: the manifest's data hash
 */
public record TokenizedTexts(long[] ids, long[] mask, long[] types, int[] labels, int sequence, String sha256) {
    public int size() {
        return labels.length;
    }

    public static TokenizedTexts of(List<SpamCorpus.Sample> samples, Path tokenizer, int sequence) {
        int n = samples.size();
        long[] ids = new long[n * sequence];
        long[] mask = new long[n * sequence];
        long[] types = new long[n * sequence];
        int[] labels = new int[n];
        MessageDigest md = digest();
        try (TextPreprocessor tok = new TextPreprocessor(Sessions.environment(), tokenizer, sequence)) {
            for (int i = 0; i < n; i++) {
                SpamCorpus.Sample s = samples.get(i);
                Encoding e = tok.encode(s.text());
                System.arraycopy(e.getIds(), 0, ids, i * sequence, sequence);
                System.arraycopy(e.getAttentionMask(), 0, mask, i * sequence, sequence);
                System.arraycopy(e.getTypeIds(), 0, types, i * sequence, sequence);
                labels[i] = s.label();
                md.update(s.text().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update((byte) s.label());
            }
        }
        return new TokenizedTexts(ids, mask, types, labels, sequence, HexFormat.of().formatHex(md.digest()));
    }

    /** Copies rows {@code order[from..from+k)} into the batch arrays (each at least {@code k * sequence} long). */
    public void gather(int[] order, int from, int k, long[] bIds, long[] bMask, long[] bTypes) {
        for (int i = 0; i < k; i++) {
            int r = order[from + i];
            System.arraycopy(ids, r * sequence, bIds, i * sequence, sequence);
            System.arraycopy(mask, r * sequence, bMask, i * sequence, sequence);
            System.arraycopy(types, r * sequence, bTypes, i * sequence, sequence);
        }
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
