package org.polytopelens.npy;

import java.io.IOException;
import java.nio.file.Path;

/** Whole-file convenience: read an array, write an array atomically. */
public final class Npy {
    private Npy() {}

    public static NpyArray read(Path path) throws IOException {
        try (NpyReader r = NpyReader.open(path)) {
            return r.readAll();
        }
    }

    public static NpyHeader header(Path path) throws IOException {
        try (NpyReader r = NpyReader.open(path)) {
            return r.header();
        }
    }

    public static void write(Path path, NpyArray array) throws IOException {
        NpyWriter w = NpyWriter.create(path, array.dtype(), array.shape());
        try {
            w.append(array);
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
        w.close();
    }
}
