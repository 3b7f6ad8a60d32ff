package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.tiermark.AtomicFiles;
import org.tiermark.InvalidInputException;

/** Loads and saves ONNX models: external data is inlined on load, every error names the file. */
public final class OnnxModels {
    private OnnxModels() {}

    /** Reads a model; initializers stored as external data are read into the model. */
    public static OnnxMl.ModelProto load(Path file) {
        OnnxMl.ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream c = CodedInputStream.newInstance(in);
            c.setSizeLimit(Integer.MAX_VALUE);
            model = OnnxMl.ModelProto.parseFrom(c);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": ONNX file not found");
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidInputException(file + ": not a valid ONNX model (corrupt or truncated protobuf: "
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getOpsetImportCount() == 0) {
            throw new InvalidInputException(file + ": not a valid ONNX model (no graph, no nodes or no opset import)");
        }
        return inlineExternalData(model, file.toAbsolutePath().getParent());
    }

    private static OnnxMl.ModelProto inlineExternalData(OnnxMl.ModelProto model, Path folder) {
        boolean any = model.getGraph().getInitializerList().stream()
                .anyMatch(t -> t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL);
        if (!any) {
            return model;
        }
        OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            OnnxMl.TensorProto t = g.getInitializer(i);
            if (t.getDataLocation() != OnnxMl.TensorProto.DataLocation.EXTERNAL) {
                continue;
            }
            String location = null;
            long offset = 0;
            long length = -1;
            for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            }
            if (location == null) {
                throw new InvalidInputException("initializer '" + t.getName() + "': external data without a location");
            }
            Path data = folder.resolve(location).normalize();
            if (length < 0) {
                length = Tensors.elementCount(t) * Tensors.elementBytes(t.getDataType());
            }
            byte[] bytes = new byte[Math.toIntExact(length)];
            try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "r")) {
                f.seek(offset);
                f.readFully(bytes);
            } catch (IOException e) {
                throw new InvalidInputException("initializer '" + t.getName() + "': cannot read external data "
                        + data + " at offset " + offset + ": " + e.getMessage(), e);
            }
            g.setInitializer(i, t.toBuilder().clearExternalData()
                    .setDataLocation(OnnxMl.TensorProto.DataLocation.DEFAULT)
                    .setRawData(ByteString.copyFrom(bytes)).build());
        }
        return model.toBuilder().setGraph(g).build();
    }

    /** Writes a model atomically (protobuf cannot hold more than 2 GB in one file: bigger ones fail clearly). */
    /**
     * Turns every {@code Constant} node holding a tensor ({@code value} attribute) into an initializer
     * of the same name. Exporters such as paddle2onnx emit weights as Constant nodes; quantizers,
     * cutters and ONNX Runtime's QDQ fusion look for initializers. The graph computes the same.
     */
    public static OnnxMl.ModelProto constantsToInitializers(OnnxMl.ModelProto model) {
        OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        boolean changed = false;
        for (int i = g.getNodeCount() - 1; i >= 0; i--) {
            OnnxMl.NodeProto n = g.getNode(i);
            if (!n.getOpType().equals("Constant") || !(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                    || n.getAttributeCount() != 1 || !n.getAttribute(0).getName().equals("value")) {
                continue;
            }
            g.addInitializer(n.getAttribute(0).getT().toBuilder().setName(n.getOutput(0)));
            g.removeNode(i);
            changed = true;
        }
        return changed ? model.toBuilder().setGraph(g).build() : model;
    }

    public static void save(OnnxMl.ModelProto model, Path file) throws IOException {
        if (model.getSerializedSize() < 0) {
            throw new IOException(file + ": model larger than 2 GB cannot be written as one protobuf");
        }
        AtomicFiles.write(file, model.toByteArray());
    }

    /** Hex SHA-256 of a file. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hex SHA-256 of a string (recipes). */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Cheap check that a file is an ONNX model (a protobuf ModelProto starts with field 1,
     * ir_version, as a varint: byte 0x08), so that a wrong file fails before ONNX Runtime loads it.
     */
    public static void checkFile(Path file, String where) {
        try (InputStream in = Files.newInputStream(file)) {
            int first = in.read();
            if (first != 0x08) {
                throw new InvalidInputException(where + ": " + file + " is not an ONNX model (expected a protobuf ModelProto)");
            }
        } catch (IOException e) {
            throw new InvalidInputException(where + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
