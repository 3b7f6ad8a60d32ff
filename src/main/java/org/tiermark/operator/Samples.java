package org.tiermark.operator;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.data.InputPool;
import org.tiermark.data.Preprocessor;
import org.tiermark.onnx.SyntheticModels;

/**
 * Model inputs an operator runs through a model: calibration for {@code sptq}, shape probes for
 * {@code partition}, held-out checks of every variant. Each sample is made on demand and closed by
 * the caller before the next one is asked for (preprocessors reuse their buffers).
 */
public interface Samples {
    int size();

    /** The input tensors of sample {@code i}; the caller closes them. */
    Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException;

    /** Where the samples come from, for the manifest. */
    String description();

    /** The first {@code n} samples (fails naming the shortfall when there are fewer). */
    default Samples first(int n, String what) {
        if (n > size()) {
            throw new InvalidInputException(what + ": " + n + " samples asked for but only " + size()
                    + " available from " + description());
        }
        Samples all = this;
        return new Samples() {
            public int size() {
                return n;
            }

            public Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException {
                return all.get(env, i);
            }

            public String description() {
                return n + " of " + all.description();
            }
        };
    }

    /** The samples after the first {@code n} (held-out inputs when calibration used the first ones). */
    default Samples skip(int n) {
        Samples all = this;
        int size = Math.max(0, all.size() - n);
        return new Samples() {
            public int size() {
                return size;
            }

            public Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException {
                return all.get(env, i + n);
            }

            public String description() {
                return "all but the first " + n + " of " + all.description();
            }
        };
    }

    /** Raw inputs of a catalog model turned into tensors by its preprocessor (owned by the samples). */
    static Samples of(InputPool pool, Preprocessor preprocessor, String description) {
        return new Samples() {
            public int size() {
                return pool.size();
            }

            public Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException {
                return preprocessor.prepare(pool.get(i));
            }

            public String description() {
                return description + " (" + pool.size() + " inputs)";
            }
        };
    }

    /** Seeded standard-normal images for the synthetic CNNs (which have no data of their own). */
    static Samples randomImages(String input, int size, int count, long seed) {
        return new Samples() {
            public int size() {
                return count;
            }

            public Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException {
                float[] v = SyntheticModels.randomImage(seed + i, size);
                ByteBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.nativeOrder());
                b.asFloatBuffer().put(v);
                Map<String, OnnxTensor> m = new LinkedHashMap<>();
                m.put(input, OnnxTensor.createTensor(env, b.asFloatBuffer(), new long[] {1, 3, size, size}));
                return m;
            }

            public String description() {
                return "seeded standard-normal images " + size + "x" + size + " (seed " + seed + ", " + count + " images)";
            }
        };
    }

    /** A fixed list of pre-made tensors maps (tests). The maps are copied; the tensors are rebuilt per call. */
    static Samples ofArrays(List<Map<String, float[]>> inputs, Map<String, long[]> shapes, String description) {
        List<Map<String, float[]>> copy = new ArrayList<>(inputs);
        return new Samples() {
            public int size() {
                return copy.size();
            }

            public Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException {
                Map<String, OnnxTensor> m = new LinkedHashMap<>();
                for (Map.Entry<String, float[]> e : copy.get(i).entrySet()) {
                    m.put(e.getKey(), OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(e.getValue()), shapes.get(e.getKey())));
                }
                return m;
            }

            public String description() {
                return description;
            }
        };
    }
}
