"""The lab's AWS emulator: moto's server with the gaps the lab depends on filled.

- moto 5.2 reports a subnet's IPv6 association state as a stringified dict and does not
  implement the DescribeSubnets filters on IPv6 associations, so the AWS provider waits
  forever for a subnet's IPv6 block to become "associated".
- An instance launched with its security groups on the primary network interface (as
  the provider does when it asks for a public IP) describes no security groups, so
  every plan wants to add them again. On AWS the instance reports its primary
  interface's groups.

- A launch template's own tags (TagSpecifications for "launch-template", given beside the
  template data) show up inside its template data, so every plan wants to remove them.
- A security group rule that references another group keeps its description beside the
  group reference, where DescribeSecurityGroupRules does not look, so it describes none
  and every plan wants to set it again.

- A flow log to CloudWatch Logs given by its log group's ARN (as the provider gives it)
  reports a FAILED delivery: moto looks the group up by the name it was not given.
- Budgets: DescribeSubscribersForNotification and the tagging calls are not implemented,
  and the provider reads a budget's notifications' subscribers and tags after every apply.

These patches make moto answer as AWS does; everything else is moto as released.

With MOTO_LAB_UNIX_SOCKET set, the same emulator (one set of backends) also answers on
that Unix socket: the lab's stand-in for the regional AWS endpoint relays to it from the
lab internet, so programs inside the lab reach the API without a route to the host.

Usage: python moto_lab.py -H 127.0.0.1 -p 4566
"""

import json
import os
import threading
from typing import Any

import moto.server
from werkzeug.serving import run_simple

from moto.budgets.responses import BudgetsResponse
from moto.ec2.models.flow_logs import FlowLogsBackend
from moto.ec2.models.instances import Instance
from moto.logs.exceptions import ResourceNotFoundException
from moto.logs.models import logs_backends
from moto.ec2.models.launch_templates import LaunchTemplateVersion
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ec2.models.subnets import Subnet
from moto.server import main


def _ipv6_association_set(self: Subnet) -> list[dict[str, Any]]:
    return [
        {
            "ipv6CidrBlock": a["ipv6CidrBlock"],
            "associationId": a["associationId"],
            "ipv6CidrBlockState": {"state": a["ipv6CidrBlockState"]["State"]},
        }
        for a in self.ipv6_cidr_block_associations.values()
        if a["ipv6CidrBlockState"]["State"] == "associated"
    ]


_released_filter = Subnet.get_filter_value
_IPV6_FILTERS = {
    "ipv6-cidr-block-association.association-id": "associationId",
    "ipv6-cidr-block-association.ipv6-cidr-block": "ipv6CidrBlock",
}


def _filter_value(self: Subnet, filter_name: str, method_name: str | None = None) -> Any:
    if filter_name in _IPV6_FILTERS:
        key = _IPV6_FILTERS[filter_name]
        return [a[key] for a in self.ipv6_cidr_block_associations.values()]
    if filter_name == "ipv6-cidr-block-association.state":
        return [a["ipv6CidrBlockState"]["State"] for a in self.ipv6_cidr_block_associations.values()]
    return _released_filter(self, filter_name, method_name)


Subnet.ipv6_cidr_block_association_set = property(_ipv6_association_set)  # type: ignore[assignment]
Subnet.get_filter_value = _filter_value  # type: ignore[method-assign]

_released_prep_nics = Instance.prep_nics


def _prep_nics(self: Instance, *args: Any, **kwargs: Any) -> None:
    _released_prep_nics(self, *args, **kwargs)
    primary = self.nics.get(0)
    if not self.security_groups and primary is not None:
        self.security_groups = list(primary._group_set)


Instance.prep_nics = _prep_nics  # type: ignore[method-assign]

_released_version_init = LaunchTemplateVersion.__init__


def _version_init(self: LaunchTemplateVersion, template: Any, number: int, data: dict[str, Any], description: str) -> None:
    specs = data.get("TagSpecifications")
    if isinstance(specs, list):
        kept = [s for s in specs if s.get("ResourceType") != "launch-template"]
        data = {**data, "TagSpecifications": kept} if kept else {k: v for k, v in data.items() if k != "TagSpecifications"}
    _released_version_init(self, template, number, data, description)


LaunchTemplateVersion.__init__ = _version_init  # type: ignore[method-assign]


def _rule_description(self: SecurityGroupRule) -> str | None:
    return self.ip_range.get("Description") or self.source_group.get("Description")


SecurityGroupRule.description = property(_rule_description)  # type: ignore[assignment,method-assign]


_released_create_flow_logs = FlowLogsBackend.create_flow_logs


def _create_flow_logs(self: Any, *args: Any, **kwargs: Any) -> Any:
    created, unsuccessful = _released_create_flow_logs(self, *args, **kwargs)
    for fl in created:
        arn = fl.log_destination or ""
        if fl.log_destination_type != "cloud-watch-logs" or fl.log_group_name or ":log-group:" not in arn:
            continue
        group = arn.split(":log-group:", 1)[1].split(":", 1)[0]
        try:
            logs_backends[self.account_id][self.region_name].list_tags_log_group(group)
        except ResourceNotFoundException:
            continue  # a group that does not exist fails delivery, as on AWS
        fl.deliver_logs_status = "SUCCESS"
        fl.deliver_logs_error_message = None
    return created, unsuccessful


FlowLogsBackend.create_flow_logs = _create_flow_logs  # type: ignore[method-assign]


def _describe_subscribers(self: BudgetsResponse) -> str:
    budget = self.backend.budgets[self._get_param("AccountId")][self._get_param("BudgetName")]
    wanted = self._get_param("Notification")
    found = [n.subscribers for n in budget.notifications if n.details == wanted]
    return json.dumps({"Subscribers": found[0] if found else []})


# Budget tags by ARN, kept beside moto's backend (which has none); a reset of the emulator
# goes with the lab's, so no stale tag outlives its budget for long.
_budget_tags: dict[str, dict[str, str]] = {}


def _list_tags(self: BudgetsResponse) -> str:
    tags = _budget_tags.get(self._get_param("ResourceARN"), {})
    return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]})


def _tag(self: BudgetsResponse) -> str:
    arn = self._get_param("ResourceARN")
    _budget_tags.setdefault(arn, {}).update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags", [])})
    return json.dumps({})


def _untag(self: BudgetsResponse) -> str:
    tags = _budget_tags.get(self._get_param("ResourceARN"), {})
    for key in self._get_param("ResourceTagKeys", []):
        tags.pop(key, None)
    return json.dumps({})


_released_create_budget = BudgetsResponse.create_budget


def _create_budget(self: BudgetsResponse) -> str:
    tags = self._get_param("ResourceTags", [])
    if tags:
        name = self._get_param("Budget")["BudgetName"]
        arn = f"arn:aws:budgets::{self._get_param('AccountId')}:budget/{name}"
        _budget_tags[arn] = {t["Key"]: t["Value"] for t in tags}
    return _released_create_budget(self)


BudgetsResponse.describe_subscribers_for_notification = _describe_subscribers  # type: ignore[attr-defined]
BudgetsResponse.list_tags_for_resource = _list_tags  # type: ignore[attr-defined]
BudgetsResponse.tag_resource = _tag  # type: ignore[attr-defined]
BudgetsResponse.untag_resource = _untag  # type: ignore[attr-defined]
BudgetsResponse.create_budget = _create_budget  # type: ignore[method-assign]


def _run_simple(host: str, port: int, app: Any, **kwargs: Any) -> None:
    sock = os.environ.get("MOTO_LAB_UNIX_SOCKET")
    if sock:
        threading.Thread(
            target=run_simple,
            args=(f"unix://{sock}", 0, app),
            kwargs={"threaded": True},
            daemon=True,
        ).start()
    run_simple(host, port, app, **kwargs)


moto.server.run_simple = _run_simple  # type: ignore[assignment]

if __name__ == "__main__":
    main()
