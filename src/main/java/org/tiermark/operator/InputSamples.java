package org.tiermark.operator;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tiermark.InvalidInputException;
import org.tiermark.data.InputPool;
import org.tiermark.data.Preprocessor;
import org.tiermark.onnx.SyntheticModels;

/**
 * Model inputs an operator runs through a model: calibration for {@code sptq}, shape probes for
 * {@code partition}, held-out checks of every variant. Each sample is made on demand and closed by
 * the caller before the next one is asked for (preprocessors reuse their buffers).
 */
public interface InputSamples {
    /** No samples: a source that is only asked what applies to it. */
    InputSamples NONE = new InputSamples() {
        public int size() {
            return 0;
        }

        public Map<String, OnnxTensor> get(OrtEnvironment env, int i) {
            throw new IndexOutOfBoundsException("no samples (a source described for planning, not for building)");
        }

        public String description() {
            return "no samples";
        }
    };

    int size();

    /** The input tensors of sample {@code i}; the caller closes them. */
    Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException;

    /** Where the samples come from, for the manifest. */
    String description();

    /** The first {@code n} samples (fails naming the shortfall when there are fewer). */
    default InputSamples first(int n, String what) {
        if (n > size()) {
            throw new InvalidInputException(what + ": " + n + " samples asked for but only " + size()
                    + " available from " + description());
        }
        InputSamples all = this;
        return new InputSamples() {
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
    default InputSamples skip(int n) {
        InputSamples all = this;
        int size = Math.max(0, all.size() - n);
        return new InputSamples() {
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
    static InputSamples of(InputPool pool, Preprocessor preprocessor, String description) {
        return new InputSamples() {
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

    /**
     * One sample made from the model's declared input shapes: floats seeded standard-normal, integers 1.
     * A dynamic dimension must be given in {@code shapes}; otherwise the error asks for it.
     */
    static InputSamples fromDeclaredShapes(org.tiermark.onnx.OnnxGraph g, Map<String, long[]> shapes) {
        Map<String, long[]> resolved = new LinkedHashMap<>();
        Map<String, Integer> types = new LinkedHashMap<>();
        for (var e : g.inputs().entrySet()) {
            var t = e.getValue().getType().getTensorType();
            types.put(e.getKey(), t.getElemType());
            long[] given = shapes.get(e.getKey());
            if (given != null) {
                resolved.put(e.getKey(), given);
                continue;
            }
            long[] dims = new long[t.getShape().getDimCount()];
            for (int i = 0; i < dims.length; i++) {
                var d = t.getShape().getDim(i);
                if (!d.hasDimValue()) {
                    throw new InvalidInputException("input '" + e.getKey() + "' has the dynamic dimension '" + d.getDimParam()
                            + "' (axis " + i + "): give its size, e.g. --shape " + e.getKey() + "=1x...");
                }
                dims[i] = d.getDimValue();
            }
            resolved.put(e.getKey(), dims);
        }
        for (String name : shapes.keySet()) {
            if (!resolved.containsKey(name)) {
                throw InvalidInputException.unknown("input", name, null, g.inputs().keySet());
            }
        }
        return new InputSamples() {
            public int size() {
                return 1;
            }

            public Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException {
                Map<String, OnnxTensor> m = new LinkedHashMap<>();
                SplittableRandom r = new SplittableRandom(i);
                for (var e : resolved.entrySet()) {
                    long n = 1;
                    for (long d : e.getValue()) {
                        n *= d;
                    }
                    int type = types.get(e.getKey());
                    if (type == ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
                        float[] v = new float[Math.toIntExact(n)];
                        for (int k = 0; k < v.length; k++) {
                            v[k] = (float) SyntheticModels.gaussian(r);
                        }
                        m.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(v), e.getValue()));
                    } else if (type == ai.onnx.proto.OnnxMl.TensorProto.DataType.INT64.getNumber()) {
                        long[] v = new long[Math.toIntExact(n)];
                        Arrays.fill(v, 1);
                        m.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(v), e.getValue()));
                    } else {
                        throw new InvalidInputException("input '" + e.getKey() + "': element type " + type
                                + " is not supported for probe inputs (float and int64 are)");
                    }
                }
                return m;
            }

            public String description() {
                return "one seeded input of the declared shapes";
            }
        };
    }

    /** Seeded standard-normal images for the synthetic CNNs (which have no data of their own). */
    static InputSamples randomImages(String input, int size, int count, long seed) {
        return new InputSamples() {
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
    static InputSamples ofArrays(List<Map<String, float[]>> inputs, Map<String, long[]> shapes, String description) {
        List<Map<String, float[]>> copy = new ArrayList<>(inputs);
        return new InputSamples() {
            public int size() {
                return copy.size();
            }

            public Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException {
                Map<String, OnnxTensor> m = new LinkedHashMap<>();
                for (Map.Entry<String, float[]> e : copy.get(i).entrySet()) {
                    m.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()), shapes.get(e.getKey())));
                }
                return m;
            }

            public String description() {
                return description;
            }
        };
    }
}
