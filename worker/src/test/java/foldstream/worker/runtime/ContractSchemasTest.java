package foldstream.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.UserCreated;
import foldstream.examples.users.UserState;
import foldstream.protocol.CommandResult;
import foldstream.protocol.ControlInstruction;
import foldstream.protocol.ControlResult;
import foldstream.worker.examples.Users;
import org.junit.jupiter.api.Test;

class ContractSchemasTest {

    @Test
    void namesEverySubjectOfAnAggregateTypeAsTheWireContractSays() {
        assertThat(ContractSchemas.of(Users.type())).extracting(ContractSchemas.TopicSchema::subject).containsExactly(
                "ex_users-commands-foldstream.examples.users.RegisterUser",
                "ex_users-commands-foldstream.examples.users.UpdateProfile",
                "ex_users-events-foldstream.examples.users.ProfileSet",
                "ex_users-events-foldstream.examples.users.UserCreated",
                "ex_users-results-value",
                "ex_users-state-value",
                "ex_users-control-value",
                "ex_users-control-results-value");
    }

    @Test
    void tellsWhichRecordTypesATopicCarries() {
        assertThat(ContractSchemas.recordTypesOf(Users.type(), "ex_users-events")).containsExactly(ProfileSet.class, UserCreated.class);
        assertThat(ContractSchemas.recordTypesOf(Users.type(), "ex_users-results")).containsExactly(CommandResult.class);
        assertThat(ContractSchemas.recordTypesOf(Users.type(), "ex_users-state")).containsExactly(UserState.class);
        assertThat(ContractSchemas.recordTypesOf(Users.type(), "ex_users-control")).containsExactly(ControlInstruction.class);
        assertThat(ContractSchemas.recordTypesOf(Users.type(), "ex_users-control-results")).containsExactly(ControlResult.class);
        assertThatThrownBy(() -> ContractSchemas.recordTypesOf(Users.type(), "ex_users-dlq"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ex_users-dlq");
    }
}
