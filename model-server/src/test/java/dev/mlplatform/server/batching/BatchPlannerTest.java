package dev.mlplatform.server.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {
  private static final ToIntFunction<Integer> LENGTH = Integer::intValue;

  @Test
  void inputs_of_similar_length_share_a_batch() {
    BatchPlanner planner = new BatchPlanner(3, 10_000);

    List<List<Integer>> batches = planner.plan(List.of(200, 5, 190, 7, 6, 210), LENGTH);

    assertThat(batches).containsExactly(List.of(5, 6, 7), List.of(190, 200, 210));
  }

  @Test
  void a_batch_closes_at_the_count_limit() {
    BatchPlanner planner = new BatchPlanner(2, 10_000);

    assertThat(planner.plan(List.of(1, 1, 1, 1, 1), LENGTH))
        .extracting(List::size)
        .containsExactly(2, 2, 1);
  }

  @Test
  void a_size_cap_below_the_count_limit_cuts_smaller_batches_and_one_above_it_changes_nothing() {
    BatchPlanner planner = new BatchPlanner(4, 10_000);
    List<Integer> window = List.of(1, 1, 1, 1, 1, 1, 1, 1);

    assertThat(planner.plan(window, LENGTH, 3)).extracting(List::size).containsExactly(3, 3, 2);
    assertThat(planner.plan(window, LENGTH, 99)).extracting(List::size).containsExactly(4, 4);
  }

  @Test
  void a_batch_closes_before_its_padded_tokens_pass_the_budget() {
    BatchPlanner planner = new BatchPlanner(100, 1000);

    // 4 x 250 = 1000 fits; a fifth 250-token text would make 1250
    List<List<Integer>> batches = planner.plan(List.of(250, 250, 250, 250, 250, 10), LENGTH);

    assertThat(batches).hasSize(3).first().isEqualTo(List.of(10));
    for (List<Integer> batch : batches) {
      assertThat(batch.size() * batch.stream().mapToInt(i -> i).max().orElseThrow())
          .isLessThanOrEqualTo(1000);
    }
  }

  @Test
  void short_texts_do_not_ride_in_a_pass_padded_to_a_long_ones_length() {
    BatchPlanner planner = new BatchPlanner(32, 16_384);

    List<List<Integer>> batches = planner.plan(List.of(200, 12, 15, 14, 230, 13, 11, 10), LENGTH);

    // one pass of all eight would compute 8 x 230 tokens; these two compute 6 x 15 + 2 x 230
    assertThat(batches).containsExactly(List.of(10, 11, 12, 13, 14, 15), List.of(200, 230));
  }

  @Test
  void texts_of_similar_length_share_one_pass_rather_than_pay_for_two() {
    BatchPlanner planner = new BatchPlanner(32, 16_384);

    assertThat(planner.plan(List.of(12, 12, 12, 12, 12, 12, 12, 12), LENGTH)).hasSize(1);
    assertThat(planner.plan(List.of(110, 100), LENGTH)).containsExactly(List.of(100, 110));
  }

  @Test
  void one_input_longer_than_the_budget_still_gets_a_batch_of_its_own() {
    BatchPlanner planner = new BatchPlanner(8, 100);

    assertThat(planner.plan(List.of(500, 3), LENGTH)).containsExactly(List.of(3), List.of(500));
  }

  @Test
  void fills_a_batch_by_count_or_by_tokens() {
    BatchPlanner planner = new BatchPlanner(4, 1000);

    assertThat(planner.fillsABatch(4, 10)).isTrue();
    assertThat(planner.fillsABatch(2, 500)).isTrue();
    assertThat(planner.fillsABatch(3, 10)).isFalse();
  }
}
