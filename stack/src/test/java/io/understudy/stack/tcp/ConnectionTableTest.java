package io.understudy.stack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {
    @Test
    void keysSeparateAddressAndBothPorts() {
        assertThat(ConnectionTable.key(0x0AC90001, 40000, 80)).isNotEqualTo(ConnectionTable.key(0x0AC90001, 40000, 81))
                .isNotEqualTo(ConnectionTable.key(0x0AC90001, 40001, 80)).isNotEqualTo(ConnectionTable.key(0x0AC90002, 40000, 80));
        assertThat(ConnectionTable.key(0x80000000, 65535, 65535)).isNotEqualTo(Long.MIN_VALUE);
        var table = new ConnectionTable<String>(4);
        table.put(ConnectionTable.key(0xFFFFFFFF, 65535, 65535), "all ones");
        assertThat(table.get(ConnectionTable.key(0xFFFFFFFF, 65535, 65535))).isEqualTo("all ones");
    }

    @Test
    void behavesLikeAMapUnderRandomPutsAndRemoves() {
        var table = new ConnectionTable<String>(4);
        Map<Long, String> model = new HashMap<>();
        Random random = new Random(7);
        for (int step = 0; step < 200_000; step++) {
            long key = ConnectionTable.key(0x0AC90001 + random.nextInt(4), 32768 + random.nextInt(300), 80);
            if (random.nextInt(3) == 0) {
                table.remove(key);
                model.remove(key);
            } else {
                String value = "v" + step;
                table.put(key, value);
                model.put(key, value);
            }
            if (step % 1000 == 0) {
                assertThat(table.size()).isEqualTo(model.size());
                for (var e : model.entrySet()) {
                    assertThat(table.get(e.getKey())).isEqualTo(e.getValue());
                }
            }
        }
        Set<String> seen = new HashSet<>();
        table.forEach(seen::add);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(model.values());
        assertThat(table.get(ConnectionTable.key(1, 1, 1))).isNull();
    }
}
