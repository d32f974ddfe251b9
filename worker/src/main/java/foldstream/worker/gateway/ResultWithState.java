package foldstream.worker.gateway;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.gateway.AggregateView;

/**
 * A command's result with the aggregate's state at the result's version (or later, when other
 * commands followed at once): what {@link CommandGateway#sendAndRead} answers.
 *
 * @param state null unless the outcome is {@link Outcome#ACCEPTED} or {@link Outcome#NO_CHANGE}
 */
public record ResultWithState(CommandResult result, AggregateView state) {
}
