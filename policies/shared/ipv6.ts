/** Pure IPv6 parsing for the pack's DNS rule: every spelling of an address to its eight 16-bit groups. */
import { ipv4Readings } from "./ipv4";

const isHex = (c: string) => (c >= "0" && c <= "9") || (c >= "a" && c <= "f");

/** The groups of one side of `::`; a trailing dotted quad is two groups. Undefined when malformed. */
function groupsOf(side: string, last: boolean): number[] | undefined {
    if (side === "") return [];
    const groups: number[] = [];
    const parts = side.split(":");
    for (let i = 0; i < parts.length; i++) {
        const p = parts[i];
        if (last && i === parts.length - 1 && p.includes(".")) {
            // A dotted quad with leading zeros is read as decimal here.
            const v4 = ipv4Readings(p);
            if (v4.length === 0) return undefined;
            groups.push(v4[0] >>> 16, v4[0] & 0xffff);
        } else if (p.length >= 1 && p.length <= 4 && [...p].every(isHex)) {
            groups.push(parseInt(p, 16));
        } else {
            return undefined;
        }
    }
    return groups;
}

/**
 * The eight 16-bit groups of an IPv6 address in any spelling (`::1`, `0:0:0:0:0:0:0:1`,
 * `0000::0001`, `::ffff:192.168.1.1`, upper case, surrounding spaces, a zone `%eth0`); undefined
 * when it is not one.
 */
export function parseIpv6(text: string): number[] | undefined {
    const a = text.trim().toLowerCase().split("%")[0];
    if (!a.includes(":")) return undefined;
    const halves = a.split("::");
    if (halves.length > 2) return undefined;
    if (halves.length === 1) {
        const groups = groupsOf(a, true);
        return groups !== undefined && groups.length === 8 ? groups : undefined;
    }
    const left = groupsOf(halves[0], false);
    const right = groupsOf(halves[1], true);
    if (left === undefined || right === undefined || left.length + right.length > 7) return undefined;
    return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
