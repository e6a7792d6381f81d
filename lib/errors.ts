/**
 * The error lib/ helpers throw for a value they refuse: the field it came from (an inventory path
 * such as `backups.window`, or an argument's name) and what it must be, kept apart so a caller
 * reports the problem at the field with the reason, without taking the message apart. The message
 * is `[field] reason`, as every check of the program words it.
 */
export class FieldError extends Error {
    constructor(
        readonly field: string,
        readonly reason: string,
    ) {
        super(`[${field}] ${reason}`);
        this.name = "FieldError";
    }
}

/**
 * Refuses a value: throws a FieldError saying what `field` must be and, when a value is given,
 * what it was (`[vmid] must be an integer, got "x"`). Never pass a secret as the value.
 */
export function refuse(field: string, must: string, ...value: [] | [unknown]): never {
    throw new FieldError(field, value.length === 0 ? must : `${must}, got ${JSON.stringify(value[0])}`);
}
