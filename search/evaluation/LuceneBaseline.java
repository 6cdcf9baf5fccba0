// The Lucene baseline rows of `dari eval` (search/evaluation/lucene.py): what Elasticsearch
// and OpenSearch users run, as a benchmark anchor only (never part of the product).
//
//   java -cp <lucene jars>:<dir> LuceneBaseline nori|cjk|english DOCS QUERIES DEPTH OUT
//
// DOCS: "<id>\t<text>" per line; QUERIES: "<number>\t<text>" per line; OUT gets
// "<number>\t<id>\t<id>..." per query, best first.  One text field, BM25 (k1 1.2, b 0.75),
// a query's analysed terms OR-ed as Elasticsearch's `match` query does.
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.ko.KoreanAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

public class LuceneBaseline {
  public static void main(String[] args) throws Exception {
    String kind = args[0];
    Path docs = Paths.get(args[1]);
    Path queries = Paths.get(args[2]);
    int depth = Integer.parseInt(args[3]);
    Path out = Paths.get(args[4]);
    Analyzer analyzer;
    if (kind.equals("nori")) {
      analyzer = new KoreanAnalyzer();
    } else if (kind.equals("english")) {
      analyzer = new EnglishAnalyzer();
    } else if (kind.equals("cjk")) {
      analyzer = new CJKAnalyzer();
    } else {
      throw new IllegalArgumentException("unknown analyzer " + kind);
    }
    BM25Similarity bm25 = new BM25Similarity(1.2f, 0.75f);
    ByteBuffersDirectory dir = new ByteBuffersDirectory();
    IndexWriterConfig config = new IndexWriterConfig(analyzer);
    config.setSimilarity(bm25);
    try (IndexWriter writer = new IndexWriter(dir, config);
        BufferedReader reader = Files.newBufferedReader(docs, StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        int tab = line.indexOf('\t');
        Document doc = new Document();
        doc.add(new StringField("id", line.substring(0, tab), Field.Store.YES));
        doc.add(new TextField("text", line.substring(tab + 1), Field.Store.NO));
        writer.addDocument(doc);
      }
    }
    IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(dir));
    searcher.setSimilarity(bm25);
    BooleanQuery.setMaxClauseCount(65536);
    try (BufferedReader reader = Files.newBufferedReader(queries, StandardCharsets.UTF_8);
        BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        int tab = line.indexOf('\t');
        String number = line.substring(0, tab);
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        for (String term : terms(analyzer, line.substring(tab + 1))) {
          query.add(new TermQuery(new Term("text", term)), BooleanClause.Occur.SHOULD);
        }
        StringBuilder ranked = new StringBuilder(number);
        TopDocs top = searcher.search(query.build(), depth);
        for (ScoreDoc hit : top.scoreDocs) {
          ranked.append('\t').append(searcher.doc(hit.doc).get("id"));
        }
        writer.write(ranked.append('\n').toString());
      }
    }
  }

  static List<String> terms(Analyzer analyzer, String text) throws Exception {
    Set<String> found = new LinkedHashSet<>();
    try (TokenStream stream = analyzer.tokenStream("text", text)) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      stream.reset();
      while (stream.incrementToken()) {
        found.add(term.toString());
      }
      stream.end();
    }
    return new ArrayList<>(found);
  }
}
