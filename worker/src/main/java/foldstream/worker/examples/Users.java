package foldstream.worker.examples;

import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.RegisterUser;
import foldstream.examples.users.UpdateProfile;
import foldstream.examples.users.UserCreated;
import foldstream.examples.users.UserState;
import foldstream.worker.aggregate.Aggregate;
import foldstream.worker.aggregate.AggregateType;
import foldstream.worker.aggregate.Creation;
import foldstream.worker.aggregate.Decision;
import foldstream.worker.aggregate.Violation;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/** Extreme.System's users ({@code ex_users}): register, then update the profile. */
public final class Users implements Aggregate<UserState> {

    public static final int MIN_NAME_LENGTH = 6;

    public static AggregateType<UserState> type() {
        return AggregateType.builder("ex_users", UserState.class, new Users())
                .command(RegisterUser.class, Creation.CREATES)
                .command(UpdateProfile.class)
                .events(UserCreated.class, ProfileSet.class)
                .build();
    }

    @Override
    public UserState initialState() {
        return new UserState(null, null);
    }

    @Override
    public Decision decide(UserState state, SpecificRecord command) {
        if (command instanceof RegisterUser register) {
            Decision refused = checkName(register.getName());
            return refused != null ? refused : Decision.emit(new UserCreated(register.getEmail()), new ProfileSet(register.getName()));
        }
        UpdateProfile update = (UpdateProfile) command;
        if (Objects.equals(update.getName(), state.getName())) {
            return Decision.noChange();
        }
        Decision refused = checkName(update.getName());
        return refused != null ? refused : Decision.emit(new ProfileSet(update.getName()));
    }

    private static Decision checkName(String name) {
        if (name.length() < MIN_NAME_LENGTH) {
            return Decision.reject("INVALID_NAME", "the name is too short",
                    new Violation("name", "must have at least " + MIN_NAME_LENGTH + " characters"));
        }
        return null;
    }

    @Override
    public UserState evolve(UserState state, SpecificRecord event) {
        if (event instanceof UserCreated created) {
            return new UserState(created.getEmail(), state.getName());
        }
        return new UserState(state.getEmail(), ((ProfileSet) event).getName());
    }
}
