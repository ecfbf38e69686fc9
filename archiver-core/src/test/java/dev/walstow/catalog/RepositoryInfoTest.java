package dev.walstow.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.walstow.repo.Repository;
import dev.walstow.repo.RepositoryBinding;
import dev.walstow.repo.RepositoryLayout;
import dev.walstow.storage.InMemoryObjectStore;
import dev.walstow.storage.ObjectMeta;
import dev.walstow.storage.ObjectStore;
import dev.walstow.wal.ClusterIdentity;
import dev.walstow.wal.SegmentName;
import dev.walstow.wal.TimelineId;
import dev.walstow.wal.WalSegmentSize;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RepositoryInfoTest {
    private static final WalSegmentSize SIZE = new WalSegmentSize(16 << 20);
    private static final Instant STORED = Instant.parse("2026-01-10T12:00:00Z");

    @Test
    @DisplayName("info gives the newest segment's archive time and age from the store's listing")
    void newestSegmentAge() throws Exception {
        Repository repo = repository(new InMemoryObjectStore(Clock.fixed(STORED, ZoneOffset.UTC)));

        RepositoryInfo info = RepositoryInfo.of(repo, STORED.plusSeconds(754));

        assertThat(info.newestSegment()).isEqualTo("000000010000000000000009");
        assertThat(info.newestSegmentStored()).isEqualTo("2026-01-10T12:00:00Z");
        assertThat(info.newestSegmentAgeSeconds()).isEqualTo(754L);
        assertThat(info.text()).contains("newest archived segment: 000000010000000000000009 (archived "
                + "2026-01-10T12:00:00Z, 12m ago)");
    }

    @Test
    @DisplayName("with a store that cannot tell times, info says so instead of inventing an age")
    void noTimeFromStore() throws Exception {
        InMemoryObjectStore inner = new InMemoryObjectStore();
        // Only the methods every backend has: listWithInfo falls back to the interface default (no times).
        ObjectStore plain = (ObjectStore) java.lang.reflect.Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> method.isDefault()
                        ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args)
                        : method.invoke(inner, args));
        RepositoryInfo info = RepositoryInfo.of(repository(plain), STORED);

        assertThat(info.newestSegmentAgeSeconds()).isNull();
        assertThat(info.text()).contains("000000010000000000000009 (the store gives no archive time)");
    }

    private static Repository repository(ObjectStore store) throws Exception {
        Repository repo = new Repository(store);
        repo.writeBinding(RepositoryBinding.of(new ClusterIdentity(7, 15, SIZE), "2026-01-01T00:00:00Z", "test"));
        for (long n = 1; n <= 9; n++) {
            store.putIfAbsent(RepositoryLayout.keyOf(SegmentName.of(new TimelineId(1), n, SIZE)), new byte[0],
                    ObjectMeta.ofPlain(new byte[0]));
        }
        return repo;
    }
}
