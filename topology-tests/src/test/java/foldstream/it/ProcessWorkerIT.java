package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transfer process in a worker process of its own ({@code --types none}), beside a worker of the
 * aggregates that runs no process ({@code --processes none}): the process-only worker serves the probes,
 * the metrics and {@code /processes}, refuses the aggregate routes saying why, moves the money, and
 * picks up where it was after a kill -9.
 */
@ExtendWith(KafkaStackPerClass.class)
class ProcessWorkerIT {

    private static final Duration READY = Duration.ofSeconds(90);

    @RegisterExtension
    final WorkerProcess.Group workers = new WorkerProcess.Group(ProcessWorkerIT.class);

    private static WorkerProcess.Options worker(KafkaStack.Endpoints stack, String run, String name) {
        return WorkerProcess.options(stack, run, name).property("session.timeout.ms", "6000")
                .property("heartbeat.interval.ms", "1500");
    }

    @Test
    void aWorkerOfProcessesOnlyMovesTheMoneyServesItsRoutesAndSurvivesKill9(KafkaStack.Endpoints stack) {
        String run = "pm-" + Long.toString(System.nanoTime(), 36);
        WorkerProcess aggregates = workers.start(worker(stack, run, "aggregates").flag("--processes", "none"));
        WorkerProcess process = workers.start(worker(stack, run, "process").types("none"));
        aggregates.awaitReady(READY);
        process.awaitReady(READY);

        // Ready means the process's own application runs: the checks name it, and no aggregates' application.
        JsonNode ready = FacadeHttp.parse(process.get("/ready").body());
        assertThat(ready.path("checks")).extracting(check -> check.path("name").asText()).containsExactly("process transfer");
        assertThat(process.get("/health").statusCode()).isEqualTo(200);
        assertThat(process.get("/metrics").body()).contains("jvm_memory_used_bytes");
        FacadeHttp.Reply refused = post(process, "/aggregates/ex_accounts/" + run + "-x/commands/OpenAccount", "{\"owner\":\"X\"}");
        assertThat(refused.status()).isEqualTo(404);
        assertThat(FacadeHttp.parse(refused.body()).path("error").asText()).isEqualTo("NO_AGGREGATE_TYPES");
        assertThat(FacadeHttp.parse(process.get("/aggregates/ex_accounts/" + run + "-x").body()).path("message").asText())
                .contains("runs no aggregate types");
        // The aggregates' worker runs no process: it does not know the instance.
        assertThat(aggregates.get("/processes/transfer/" + run + "-T1").statusCode()).isEqualTo(404);

        String alice = run + "-alice";
        String bob = run + "-bob";
        assertThat(post(aggregates, "/aggregates/ex_accounts/" + alice + "/commands/OpenAccount", "{\"owner\":\"Alice\"}").status())
                .isEqualTo(200);
        assertThat(post(aggregates, "/aggregates/ex_accounts/" + alice + "/commands/Deposit", "{\"amount\":100}").status()).isEqualTo(200);
        assertThat(post(aggregates, "/aggregates/ex_accounts/" + bob + "/commands/OpenAccount", "{\"owner\":\"Bob\"}").status())
                .isEqualTo(200);
        transfer(aggregates, run + "-T1", alice, bob, 30);
        awaitTransfer(aggregates, run + "-T1", "COMPLETED");
        JsonNode instance = await("the process instance finishes").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> FacadeHttp.parse(process.get("/processes/transfer/" + run + "-T1").body()),
                        json -> "FINISHED".equals(json.path("status").asText()));
        assertThat(instance.path("commands")).extracting(c -> c.path("commandType").asText().replaceAll(".*\\.", "") + " "
                + c.path("outcome").asText()).containsExactly("Withdraw ACCEPTED", "Deposit ACCEPTED", "CompleteTransfer ACCEPTED");

        // kill -9 the process worker; a transfer requested meanwhile waits for it and goes on once it is back.
        process.kill();
        transfer(aggregates, run + "-T2", alice, run + "-nobody", 20);
        transfer(aggregates, run + "-T3", alice, bob, 10);
        WorkerProcess again = workers.start(worker(stack, run, "process2").types("none").stateDir(process.stateDir()))
                .awaitReady(READY);
        awaitTransfer(aggregates, run + "-T2", "FAILED");
        awaitTransfer(aggregates, run + "-T3", "COMPLETED");
        await("the refund lands").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> state(aggregates, "ex_accounts", alice).path("balance").asLong() == 60);
        assertThat(state(aggregates, "ex_accounts", bob).path("balance").asLong()).isEqualTo(40);
        assertThat(again.get("/processes/transfer/" + run + "-T3").statusCode()).isEqualTo(200);
    }

    private static void transfer(WorkerProcess w, String id, String from, String to, long amount) {
        FacadeHttp.Reply requested = post(w, "/aggregates/ex_transfers/" + id + "/commands/RequestTransfer",
                "{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":" + amount + "}");
        assertThat(requested.status()).as(requested.body()).isEqualTo(200);
    }

    private static void awaitTransfer(WorkerProcess w, String id, String status) {
        await("transfer " + id + " " + status).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> state(w, "ex_transfers", id).path("status").asText(), status::equals);
    }

    private static FacadeHttp.Reply post(WorkerProcess w, String path, String body) {
        return FacadeHttp.post(w.httpPort(), path + "?timeoutMs=60000", body);
    }

    private static JsonNode state(WorkerProcess w, String type, String id) {
        return FacadeHttp.parse(w.get("/aggregates/" + type + "/" + id).body()).path("state");
    }
}
