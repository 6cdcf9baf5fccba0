/*
 * One OpenSearch 2.19 node of .ci/opensearch's local test cluster, run in its own JVM:
 *
 *   java -cp '<home>/lib/*:<home>/classes' DariNode <i> <n> <home> <http_base> <transport_base> <cluster>
 *
 * Node i (0-based) of n binds 127.0.0.1, HTTP port http_base+i, transport port
 * transport_base+i; it discovers the others on transport_base..transport_base+n-1 and the
 * cluster is bootstrapped with all n node names (dari-0 .. dari-<n-1>) as cluster-manager
 * candidates. Its data lives in <home>/data/node-<i>, so a restarted node rejoins with its
 * shards. Runs until SIGTERM/SIGINT (then closes the node cleanly) or SIGKILL.
 *
 * Why a subclass: org.opensearch.node.Node's protected constructor takes classpath plugins,
 * so no distribution (modules/, plugins/, bin/) is needed, only Maven Central jars. Not used
 * on purpose: org.opensearch.bootstrap.Bootstrap (security manager, jar-hell check,
 * production bootstrap checks, native memory lock) -- none of which a loopback-only test
 * cluster needs; bootstrap checks would not be enforced on a loopback bind anyway.
 */

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public final class DariNode extends Node {

    static final List<Class<? extends Plugin>> PLUGINS = List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class);

    private DariNode(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins) {
        super(environment, classpathPlugins, true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: DariNode <i> <n> <home> <http_base> <transport_base> <cluster>");
            System.exit(2);
        }
        final int index = Integer.parseInt(args[0]);
        final int count = Integer.parseInt(args[1]);
        final Path home = Paths.get(args[2]).toAbsolutePath();
        final int httpBase = Integer.parseInt(args[3]);
        final int transportBase = Integer.parseInt(args[4]);
        final String cluster = args[5];

        final List<String> seeds = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            seeds.add("127.0.0.1:" + (transportBase + j));
            names.add("dari-" + j);
        }
        final String name = "dari-" + index;

        final Settings settings = Settings.builder()
            .put("cluster.name", cluster)
            .put("node.name", name)
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").resolve("node-" + index).toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", Integer.toString(httpBase + index))
            .put("transport.port", Integer.toString(transportBase + index))
            .put("http.type", Netty4Plugin.NETTY_HTTP_TRANSPORT_NAME)
            .put("transport.type", Netty4Plugin.NETTY_TRANSPORT_NAME)
            .putList("discovery.seed_hosts", seeds)
            .putList("cluster.initial_cluster_manager_nodes", names)
            // tests must not turn indices read-only because the disk is nearly full
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("bootstrap.memory_lock", false)
            // a test cluster: allow DELETE /_all and DELETE /idx-*
            .put("action.destructive_requires_name", false)
            .build();

        // path.home/config holds log4j2.properties (copied from .ci/opensearch-node/)
        final Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings,
            Collections.emptyMap(),
            home.resolve("config"),
            () -> name
        );
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(name);
        LogConfigurator.configure(environment);

        final DariNode node = new DariNode(environment, PLUGINS);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "dari-node-shutdown"));
        try {
            node.start();
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.out.println("DariNode " + name + " started: http 127.0.0.1:" + (httpBase + index)
            + ", transport 127.0.0.1:" + (transportBase + index));
        stopped.await();
    }
}
