package org.tiermark.model;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.onnx.OnnxModels;

/** The models of the suite: every {@code models/*.json} descriptor, with its files checked. */
public final class Catalog {
    private final Path root;
    private final Map<String, Model> models;

    private Catalog(Path root, Map<String, Model> models) {
        this.root = root;
        this.models = Collections.unmodifiableMap(models);
    }

    /** Loads every descriptor in {@code root}; a model whose files are missing is an error naming them. */
    public static Catalog load(Path root) {
        if (!Files.isDirectory(root)) {
            throw new InvalidInputException(root + ": models folder not found");
        }
        Map<String, Model> models = new TreeMap<>();
        Json.readFolder(root, ModelDescriptor.class, ModelDescriptor::name)
                .forEach((name, d) -> models.put(name, new Model(d, root.resolve(name + ".json"))));
        return new Catalog(root, models);
    }

    public Path root() {
        return root;
    }

    public Map<String, Model> models() {
        return models;
    }

    /** The named model, its files checked to exist and its ONNX file checked to be ONNX. */
    public Model model(String name) {
        Model m = models.get(name);
        if (m == null) {
            throw InvalidInputException.unknown("model", name, null, models.keySet());
        }
        m.checkFiles();
        return m;
    }

    /** A catalog model: its descriptor and where its files are. */
    public record Model(ModelDescriptor descriptor, Path file) {
        public String name() {
            return descriptor.name();
        }

        public Path resolve(String relative) {
            return file.toAbsolutePath().getParent().resolve(relative).normalize();
        }

        public Path onnx() {
            return resolve(descriptor.onnx());
        }

        public Path pool() {
            return resolve(descriptor.pool());
        }

        public Path calibration() {
            return resolve(descriptor.calibration());
        }

        /**
         * The ONNX file of variant {@code name} its makers published, checked to exist; the error names
         * the descriptor's field and the published variants there are.
         */
        public Path published(String name) {
            String relative = descriptor.published().get(name);
            if (relative == null) {
                throw InvalidInputException.field(file, "published", "model '" + name() + "' has no published variant '" + name
                        + "'; published: " + (descriptor.published().isEmpty() ? "none" : String.join(", ", descriptor.published().keySet())));
            }
            Path onnx = resolve(relative);
            requireFile("published." + name, onnx);
            return onnx;
        }

        public Path tokenizer() {
            return resolve(descriptor.input().tokenizer());
        }

        /** Fails with the descriptor's file and field when a file it names is missing or not ONNX. */
        public void checkFiles() {
            requireFile("onnx", onnx());
            OnnxModels.checkFile(onnx(), file + ": field 'onnx'");
            if ("image".equals(descriptor.input().kind())) {
                // an image pool is a folder of encoded images
                requireFolder("pool", pool());
                ImageInputCheck.check(this);
            } else {
                requireFile("pool", pool());
            }
            if ("text".equals(descriptor.input().kind())) {
                requireFile("input.tokenizer", tokenizer());
            }
        }

        /**
         * The checks too costly for every lookup, for the suite to call once per model before it creates
         * a run folder: {@link #checkFiles()}, then the whole ONNX file is parsed (a truncated or corrupt
         * file is named, not only a wrong first byte), and a text model's {@code sequenceLength} is
         * checked against its graph's position embeddings. The raw inputs are checked by the input pool.
         */
        public void checkInputs() {
            checkFiles();
            OnnxMl.ModelProto model;
            try {
                model = OnnxModels.load(onnx());
            } catch (InvalidInputException e) {
                throw InvalidInputException.field(file, "onnx", e.getMessage());
            }
            if ("text".equals(descriptor.input().kind())) {
                TextInputCheck.check(this, model.getGraph());
            }
        }

        private void requireFolder(String field, Path path) {
            if (!Files.isDirectory(path)) {
                throw InvalidInputException.field(file, field, "folder not found: " + path);
            }
        }

        private void requireFile(String field, Path path) {
            if (!Files.isRegularFile(path)) {
                throw InvalidInputException.field(file, field, "file not found: " + path
                        + (path.toString().contains("/models/base/") ? " (third-party models are unpacked, fetched and composed by the build: run `mvn process-classes`)" : ""));
            }
        }
    }
}
