package org.tiermark.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tiermark.InvalidInputException;

/**
 * BERT-style text input: a HuggingFace {@code tokenizer.json} run through DJL's tokenizer, padded and
 * truncated to a fixed length, written into direct native-order buffers that ONNX Runtime reads
 * without a copy.
 */
public final class TextPreprocessor implements Preprocessor {
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";

    private final OrtEnvironment env;
    private final HuggingFaceTokenizer tokenizer;
    private final int length;
    private final long[] shape;
    private final LongBuffer ids;
    private final LongBuffer mask;
    private final LongBuffer types;

    public TextPreprocessor(OrtEnvironment env, Path tokenizerJson, int sequenceLength) {
        this.env = env;
        this.length = sequenceLength;
        this.shape = new long[] {1, sequenceLength};
        try {
            this.tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optMaxLength(sequenceLength)
                    .optPadToMaxLength()
                    .optTruncation(true)
                    .optAddSpecialTokens(true)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(tokenizerJson + ": not a usable HuggingFace tokenizer.json: " + e.getMessage(), e);
        }
        this.ids = direct(sequenceLength);
        this.mask = direct(sequenceLength);
        this.types = direct(sequenceLength);
    }

    private static LongBuffer direct(int n) {
        return ByteBuffer.allocateDirect(n * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    /** Token ids, attention mask and token types of {@code text}, each exactly {@code sequenceLength} long. */
    public Encoding encode(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public Map<String, OnnxTensor> prepare(byte[] raw) throws OrtException {
        Encoding e = tokenizer.encode(new String(raw, StandardCharsets.UTF_8));
        ids.clear().put(e.getIds(), 0, length).flip();
        mask.clear().put(e.getAttentionMask(), 0, length).flip();
        types.clear().put(e.getTypeIds(), 0, length).flip();
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        try {
            out.put(INPUT_IDS, OnnxTensor.createTensor(env, ids, shape));
            out.put(ATTENTION_MASK, OnnxTensor.createTensor(env, mask, shape));
            out.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, types, shape));
        } catch (OrtException | RuntimeException ex) {
            out.values().forEach(OnnxTensor::close);
            throw ex;
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
