package org.tiermark.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.Sessions;
import org.tiermark.tier.TierProfile;

/**
 * A stage as an ONNX Runtime session in this process, with its tier's session settings. From the
 * second run on, its outputs are written into direct buffers it owns (pinned), so that encoding them
 * for a link reads them without a copy, as a raw ONNX Runtime loop would not allocate either.
 */
public final class LocalStage implements Stage {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<String> inputNames;
    private final long fileBytes;
    private final long creationRssBytes;
    private long firstRunRssBytes = -1;
    private final Map<OnnxTensor, ByteBuffer> pinnedBuffers = new IdentityHashMap<>();
    /** Null until the first run decides; empty when outputs cannot be pinned (strings, empty types). */
    private Map<String, OnnxTensor> pinned;
    private OrtSession.Result last;

    private LocalStage(OrtEnvironment env, OrtSession session, long fileBytes, long creationRssBytes)
            throws OrtException {
        this.env = env;
        this.session = session;
        this.inputNames = List.copyOf(session.getInputNames());
        this.fileBytes = fileBytes;
        this.creationRssBytes = creationRssBytes;
    }

    /** The opener of local stages: a session per stage file, with the tier's settings. */
    public static Stage.Opener opener(OrtEnvironment env) {
        return (index, file, tier) -> open(env, file, tier);
    }

    public static LocalStage open(OrtEnvironment env, Path file, TierProfile tier) throws OrtException {
        long fileBytes;
        try {
            fileBytes = Files.size(file);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read the stage file: " + e.getMessage(), e);
        }
        long rssBefore = Rss.bytes();
        OrtSession session = Sessions.open(env, file, tier.sessionSettings());
        try {
            return new LocalStage(env, session, fileBytes, rssBefore < 0 ? -1 : Rss.bytes() - rssBefore);
        } catch (OrtException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    @Override
    public List<String> inputNames() {
        return inputNames;
    }

    @Override
    public Map<String, OnnxTensor> run(Map<String, OnnxTensor> inputs) throws OrtException {
        release();
        boolean first = pinned == null;
        long rssBefore = first ? Rss.bytes() : 0;
        last = first || pinned.isEmpty() ? session.run(inputs) : session.run(inputs, pinned);
        if (first) {
            if (rssBefore >= 0) {
                firstRunRssBytes = Rss.bytes() - rssBefore;
            }
            pin(last);
        }
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : last) {
            if (e.getValue() instanceof OnnxTensor t) {
                out.put(e.getKey(), t);
            }
        }
        return out;
    }

    private void pin(OrtSession.Result first) throws OrtException {
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : first) {
            if (!(e.getValue() instanceof OnnxTensor t) || t.getInfo().type.size == 0
                    || t.getInfo().type == OnnxJavaType.STRING) {
                pinned = Map.of();
                return;
            }
            int bytes = Math.toIntExact(t.getInfo().getNumElements() * t.getInfo().type.size);
            ByteBuffer buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            OnnxTensor p = OnnxTensor.createTensor(env, buffer, t.getInfo().getShape(), t.getInfo().type);
            pinnedBuffers.put(p, buffer);
            out.put(e.getKey(), p);
        }
        pinned = out;
    }

    @Override
    public ByteBuffer ownBytes(OnnxTensor output) {
        ByteBuffer own = pinnedBuffers.get(output);
        return own == null ? null : own.duplicate().clear().order(ByteOrder.nativeOrder());
    }

    @Override
    public Memory memory() {
        return new Memory(fileBytes, creationRssBytes, firstRunRssBytes);
    }

    @Override
    public void release() {
        if (last != null) {
            last.close();
            last = null;
        }
    }

    @Override
    public void close() {
        release();
        pinnedBuffers.keySet().forEach(OnnxTensor::close);
        pinnedBuffers.clear();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close a session", e);
        }
    }
}
