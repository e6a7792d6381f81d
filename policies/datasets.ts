/**
 * The `homelab:storage:ZfsDataset` component as rules read it: its registered `path`, `node`,
 * `mountpoint` and `properties`, and where a message tells the user to fix it. The program names
 * each dataset component of the inventory by its path (`deployDatasets`), so a component whose
 * name is its path comes from the inventory's `datasets`; another was written by hand.
 */
import type { PolicyResource } from "@pulumi/policy";
import { str } from "./props";

/** The dataset's name (`tank/photos`): the registered `path`, else the component's name. */
export function datasetPath(dataset: PolicyResource): string {
    return str(dataset.props.path) ?? dataset.name;
}

/**
 * Where to fix a field, for messages: the inventory key when the component comes from the
 * inventory (`datasets["tank/photos"].properties.mountpoint`), else the component's argument
 * (`properties.mountpoint` of the ZfsDataset "photos").
 */
export function datasetFixAt(dataset: PolicyResource, field: string): string {
    const path = datasetPath(dataset);
    return dataset.name === path
        ? `\`datasets["${path}"]${field === "" ? "" : `.${field}`}\``
        : `${field === "" ? "`path`" : `\`${field}\``} of the ZfsDataset component "${dataset.name}"`;
}
