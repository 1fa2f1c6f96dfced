"""The lab's AWS emulator: moto's server with the gaps the lab depends on filled.

- moto 5.2 reports a subnet's IPv6 association state as a stringified dict and does not
  implement the DescribeSubnets filters on IPv6 associations, so the AWS provider waits
  forever for a subnet's IPv6 block to become "associated".
- An instance launched with its security groups on the primary network interface (as
  the provider does when it asks for a public IP) describes no security groups, so
  every plan wants to add them again. On AWS the instance reports its primary
  interface's groups.

- An Auto Scaling group launches from its template's top-level settings only: the primary
  interface the template describes (its public IPv4, its security groups) and the template's
  metadata options (IMDSv2) are dropped, so every instance would get no public address, the
  VPC's default group and optional IMDSv1. On AWS the instance gets what the template says.
  The metadata options were also dropped for an instance that names its own interfaces
  (the nodes), which an audit of the lab then reported as IMDSv1.
- An instance launched from a launch template gets no instance profile from it (the
  template's IamInstanceProfile is dropped), so it would have no role. On AWS it has the
  template's profile.
- A terminated instance keeps the interfaces it did not create attached (at device index 0
  too), so deleting such an interface after its instance fails with OperationNotPermitted.
  On AWS they are detached and available once the instance is gone.
- A launch template's own tags (TagSpecifications for "launch-template", given beside the
  template data) show up inside its template data, so every plan wants to remove them.
- A security group rule that references another group keeps its description beside the
  group reference, where DescribeSecurityGroupRules does not look, so it describes none
  and every plan wants to set it again.

- A flow log to CloudWatch Logs given by its log group's ARN (as the provider gives it)
  reports a FAILED delivery: moto looks the group up by the name it was not given. Given by
  name, moto reports SUCCESS whatever the role. The lab reports SUCCESS only when the group
  exists and the flow log's role trusts vpc-flow-logs.amazonaws.com (under aws:SourceAccount
  and aws:SourceArn conditions too, evaluated as the service sets them) and allows
  logs:CreateLogStream and logs:PutLogEvents on the group's streams; otherwise FAILED,
  "Access error", as AWS does.
- Budgets: DescribeSubscribersForNotification and the tagging calls are not implemented,
  and the provider reads a budget's notifications' subscribers and tags after every apply.

- An instance launched from a launch template (or a launch configuration) that maps the
  AMI's root device gets two disks in moto: its own default 8 GB root at /dev/sda1 plus
  the template's volume. On AWS the template's mapping of the root device *is* the root
  volume. The default root is now made only when nothing maps the root device, and at the
  AMI's root device name (moto's size and type, 8 GB gp2, are kept for it).

- Budgets: a cost budget's CalculatedSpend is always 0 and UpdateBudget is missing, so the
  bastion's hard cap could never see a month over budget. The lab reports this month's
  actual spend from the usage ledger below (what the emulator observed, priced from
  cost/prices.ts), and UpdateBudget changes a budget as AWS does.

These patches make moto answer as AWS does; everything else is moto as released.

The usage ledger and Cost Explorer (moto has no billing; its GetCostAndUsage answers from a
queue of canned results, which the lab no longer loads):

- After every request the emulator answers, the ledger compares what the EC2 backends hold
  with what it has open, and opens or closes a span at the emulator process's clock:
  an instance while it is `running` (by instance type: launch/start to stop/terminate),
  an EBS volume while it exists (by size and type, root volumes included), a public IPv4
  address while it is held (an Elastic IP from allocation to release; an address on an
  interface that is not an Elastic IP, such as an instance's auto-assigned one, while the
  interface has it), and a NAT gateway while it is pending or available. Nothing in moto
  changes but through a request, so the spans are exact to the request. A change of type or
  size closes one span and opens another. `POST /moto-api/reset` clears the ledger with the
  backends. The clock is the process's own; with MOON_NOW set (the kit's one clock,
  model/clock.ts) it starts at that moment when the emulator starts and runs on from there.
- GetCostAndUsage prices those spans with the lab's copy of the project's price table
  (cost/prices.ts, written to a JSON file by `lab up` and named by MOTO_LAB_PRICES): hours
  × the instance type's hourly price; GB × the volume type's GB-month price × hours / the
  table's hours in a month; address-hours and gateway-hours × their hourly prices. A type
  or region the table has no price for is refused with an error naming it, never guessed.
  Usage counts up to the emulator's "now" and within each period; no free tier, credits or
  AWS's one-minute minimum per start are applied. Service names come from the same file.
- Answered: MONTHLY or DAILY granularity over any TimePeriod; the cost metrics
  (BlendedCost, UnblendedCost, AmortizedCost, NetUnblendedCost, NetAmortizedCost: the same
  numbers in the lab); GroupBy DIMENSION SERVICE, REGION, RECORD_TYPE or LINKED_ACCOUNT (up
  to two), or none, in which case `Total` carries each metric; a Filter of And/Or/Not over
  Dimensions on those keys (such as the kit's Not RECORD_TYPE in [Credit, Refund]). Every
  record is of RECORD_TYPE Usage. Anything else (HOURLY, UsageQuantity, tag filters) is a
  ValidationException naming what the lab answers.

One request at a time: moto's backends are plain dicts and lists with no locking, and its
server answers each connection on a thread of its own. Under the provider's parallel apply a
request that reads a dict another request is filling can fail with a 500 after its own change
was made; the SDK would retry it and the retry be refused. That is the likeliest reading of
one CI run's `InvalidPermission.Duplicate` on a security group rule; it was not reproduced
(8 threads adding tagged rules concurrently gave no error). So the lab answers one request
at a time, its body rendered before the next begins. A retried request (the SDKs' `amz-sdk-request: attempt=N` header, N > 1) is noted in
the emulator's log, so a failed apply shows what the emulator was asked twice.

With MOTO_LAB_UNIX_SOCKET set, the same emulator (one set of backends) also answers on
that Unix socket: the lab's stand-in for the regional AWS endpoint relays to it from the
lab internet, so programs inside the lab reach the API without a route to the host.

Usage: python moto_lab.py -H 127.0.0.1 -p 4566
"""

import dataclasses
import datetime
import io
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any

import moto.server
from werkzeug.serving import run_simple

from moto.autoscaling.models import autoscaling_backends
from moto.budgets.responses import BudgetsResponse
from moto.ce.responses import CostExplorerResponse
from moto.core.exceptions import JsonRESTError
from moto.ec2.models import ec2_backends
from moto.ec2.models.flow_logs import FlowLogsBackend
from moto.ec2.models.amis import Ami, AmiBackend
from moto.ec2.models.instances import Instance, InstanceBackend
from moto.logs.exceptions import ResourceNotFoundException
from moto.iam.models import iam_backends
from moto.logs.models import logs_backends
from moto.utilities.utils import get_partition
from moto.core.types import Base64EncodedString
from moto.ec2.models.launch_templates import LaunchTemplateVersion
from moto.ec2.utils import parse_user_data
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

_released_run_instances = InstanceBackend.run_instances


def _truthy(v: Any) -> bool:
    return v is True or str(v).lower() == "true"


def _run_instances(self: Any, image_id: str, count: int, user_data: Any, security_group_names: list[str], **kwargs: Any) -> Any:
    lt = kwargs.get("launch_template")
    data = self._get_template_from_args(lt).data if lt else {}
    # The template's metadata options hold however the interfaces are given (the nodes name
    # theirs in RunInstances; the bastion's group takes the template's).
    if lt and not kwargs.get("metadata_options") and data.get("MetadataOptions"):
        kwargs["metadata_options"] = data["MetadataOptions"]
    if lt and not kwargs.get("nics"):
        primary = next(
            (n for n in data.get("NetworkInterfaces") or [] if int(n.get("DeviceIndex", 0)) == 0),
            None,
        )
        if primary is not None:
            if "AssociatePublicIpAddress" in primary:
                kwargs["associate_public_ip"] = _truthy(primary["AssociatePublicIpAddress"])
            groups = primary.get("Groups") or primary.get("SecurityGroupId") or []
            if groups and not kwargs.get("security_group_ids"):
                kwargs["security_group_ids"] = list(groups)
    reservation = _released_run_instances(self, image_id, count, user_data, security_group_names, **kwargs)
    profile = data.get("IamInstanceProfile")
    if profile and not (kwargs.get("iam_instance_profile_name") or kwargs.get("iam_instance_profile_arn")):
        for instance in reservation.instances:
            self.associate_iam_instance_profile(
                instance_id=instance.id,
                iam_instance_profile_name=profile.get("Name"),
                iam_instance_profile_arn=profile.get("Arn"),
            )
    return reservation


InstanceBackend.run_instances = _run_instances  # type: ignore[method-assign]

_released_terminate = Instance.terminate


def _terminate(self: Instance) -> Any:
    state = _released_terminate(self)
    # An interface the instance did not create outlives it, detached and available. The
    # instance keeps its reference (moto describes a terminated instance by it).
    for nic in list(self.nics.values()):
        if not nic.delete_on_termination:
            nic.instance = None
            nic.attachment_id = None
            nic.attach_time = None
            nic.status = "available"
            nic.device_index = None
    return state


Instance.terminate = _terminate  # type: ignore[method-assign]

_released_version_init = LaunchTemplateVersion.__init__


def _version_init(self: LaunchTemplateVersion, template: Any, number: int, data: dict[str, Any], description: str) -> None:
    # CreateLaunchTemplateVersion hands moto the user data as the request's base64 text, where
    # CreateLaunchTemplate parses it first; unparsed, the group's next launch from that version
    # fails moto's own assertion (a 500), so a changed boot script could never boot in the lab.
    user_data = data.get("UserData")
    if user_data is not None and not isinstance(user_data, Base64EncodedString):
        data = {**data, "UserData": parse_user_data(user_data)}
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
        if fl.log_destination_type != "cloud-watch-logs" or not (fl.log_group_name or ":log-group:" in arn):
            continue
        group = fl.log_group_name or arn.split(":log-group:", 1)[1].split(":", 1)[0]
        fl.deliver_logs_status = "FAILED"
        try:
            logs_backends[self.account_id][self.region_name].list_tags_log_group(group)
        except ResourceNotFoundException:
            continue  # a group that does not exist fails delivery, as on AWS
        problem = _flow_log_role_problem(self.account_id, self.region_name, group, fl)
        if problem:
            # AWS reports a role it cannot assume or use as "Access error".
            fl.deliver_logs_status = "FAILED"
            fl.deliver_logs_error_message = "Access error"
            print(f"moto_lab: flow log {fl.id} cannot deliver to {group}: {problem}", file=sys.stderr, flush=True)
            continue
        fl.deliver_logs_status = "SUCCESS"
        fl.deliver_logs_error_message = None
    return created, unsuccessful


_FLOW_LOGS_PRINCIPAL = "vpc-flow-logs.amazonaws.com"
_TRUST_OPERATORS = {"StringEquals", "StringLike", "ArnEquals", "ArnLike"}


def _trust_condition_holds(cond: dict[str, Any], context: dict[str, str]) -> bool:
    """A trust policy's condition on the keys the service sets; any other key or operator fails."""
    for op, keys in cond.items():
        for key, wanted in keys.items():
            have = context.get(key)
            if op not in _TRUST_OPERATORS or have is None:
                return False
            # ArnEquals and ArnLike both match each ARN component with * and ? wildcards
            # (IAM JSON policy elements: Condition operators, "Amazon Resource Name (ARN)").
            exact = op == "StringEquals"
            if not any(have == w if exact else _glob(w, have, True) for w in _list(wanted)):
                return False
    return True


def _service_may_assume(role: Any, service: str, context: dict[str, str]) -> bool:
    """Whether the role's trust policy lets the service assume it, its conditions evaluated
    with the keys the service sets."""
    for st in _statements(_policy_json(role.assume_role_policy_document or "{}")):
        principal = st.get("Principal", {})
        services = _list(principal.get("Service")) if isinstance(principal, dict) else _list(principal)
        if (
            st.get("Effect") == "Allow"
            and any(_glob(a, "sts:AssumeRole", False) for a in _list(st.get("Action")))
            and (service in services or "*" in services)
            and _trust_condition_holds(st.get("Condition", {}), context)
        ):
            return True
    return False


# What the service does with the role to deliver into an existing group
# (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
_FLOW_LOGS_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def _flow_log_role_problem(account: str, region: str, group: str, fl: Any) -> str | None:
    """Why the flow log's role cannot deliver to the group, or None: the service must be able
    to assume it (its trust policy), and it must allow writing the group's streams."""
    arn = fl.deliver_logs_permission_arn or ""
    try:
        role = iam_backends[account][get_partition(region)].get_role_by_arn(arn)
    except Exception:
        return f"the role {arn or '(none)'} does not exist"
    # The confused-deputy keys AWS recommends in the trust policy, as the service sets them.
    context = {
        "aws:SourceAccount": account,
        "aws:SourceArn": f"arn:aws:ec2:{region}:{account}:vpc-flow-log/{fl.id}",
    }
    if not _service_may_assume(role, _FLOW_LOGS_PRINCIPAL, context):
        return f"{arn} does not trust {_FLOW_LOGS_PRINCIPAL} to assume it (or only under a condition that does not hold, or that the lab does not evaluate)"
    parsed = _identity_policies(role)
    stream = f"arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:{fl.resource_id}-all"
    for action in _FLOW_LOGS_ACTIONS:
        try:
            decision = _decide(parsed, action, stream, {})
        except _Unevaluable as e:
            decision = f"the lab cannot evaluate {e}"
        if decision != "allow":
            return f"{arn} may not {action} on {stream}: {decision}"
    return None


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


# --- The upstream AMIs the nodes boot from ------------------------------------------------------
#
# moto knows Amazon's AMIs only. The lab registers the images the nodes module looks up (iPXE's
# and Talos's, by their publishers' accounts, names and architectures) as they are published:
# their root device names and root volume sizes (generators/node-amis.ts, written by `lab up`
# to the file MOTO_LAB_AMIS names). moto gives every AMI a 15 GiB root; these get their own.

_AMIS_ENV = "MOTO_LAB_AMIS"
_ami_root: dict[str, tuple[int, str]] = {}  # AMI ID: the root volume's GiB and type
_released_load_amis = AmiBackend._load_amis


def _load_amis(self: Any) -> None:
    _released_load_amis(self)
    path = os.environ.get(_AMIS_ENV)
    if not path:
        return
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)
    for e in entries:
        name = e["name"].replace("{region}", self.region_name)
        self.amis[e["amiId"]] = Ami(
            self,
            ami_id=e["amiId"],
            name=name,
            description=e["source"],
            owner_id=e["owner"],
            public=True,
            virtualization_type="hvm",
            architecture=e["architecture"],
            root_device_type="ebs",
            root_device_name=e["rootDeviceName"],
            region_name=f"{self.region_name}a",
            boot_mode=e["bootMode"],
            # An image named by its build date was created that day; the others when the lab starts.
            creation_date=datetime.datetime.fromisoformat(e["creationDate"].replace("Z", "")) if e.get("creationDate") else None,
        )
        _ami_root[e["amiId"]] = (int(e["rootVolumeGib"]), e["rootVolumeType"])


_released_ami_mappings = Ami.block_device_mappings.fget  # type: ignore[attr-defined]


def _ami_mappings(self: Ami) -> list[dict[str, Any]]:
    if self.id not in _ami_root:
        return list(_released_ami_mappings(self))
    return [
        {
            "DeviceName": self.root_device_name,
            "Ebs": {
                "SnapshotId": self.ebs_snapshot.id,
                "VolumeSize": _ami_root[self.id][0],
                "DeleteOnTermination": True,
                "VolumeType": _ami_root[self.id][1],
                "Encrypted": False,
            },
        }
    ]


AmiBackend._load_amis = _load_amis  # type: ignore[method-assign]
Ami.block_device_mappings = property(_ami_mappings)  # type: ignore[assignment,method-assign]


# --- The default root volume: made only when nothing maps the AMI's root device --------------

_launching = threading.local()
# Names of their own: the launch-template patch above wraps run_instances too.
_run_instances_before_root = InstanceBackend.run_instances


def _run_instances_noting_launch(
    self: Any, image_id: str, count: int, user_data: Any, security_group_names: Any, **kwargs: Any
) -> Any:
    _launching.kwargs = kwargs
    try:
        return _run_instances_before_root(self, image_id, count, user_data, security_group_names, **kwargs)
    finally:
        _launching.kwargs = None


def _setup_defaults(self: Instance) -> None:
    kwargs = getattr(_launching, "kwargs", None) or {}
    mappings: list[dict[str, Any]] = []
    if kwargs.get("launch_template"):
        mappings = self.ec2_backend._get_template_from_args(kwargs["launch_template"]).data.get("BlockDeviceMappings") or []
    elif kwargs.get("launch_config"):
        mappings = kwargs["launch_config"].block_device_mapping_dict or []
    if any(m.get("DeviceName") == self.root_device_name for m in mappings):
        return  # the mapping is the root volume, as on AWS
    # The AMI's own root size where the lab knows it (an upstream AMI above), else moto's 8 GB.
    size, kind = _ami_root.get(self.image_id, (8, "gp2"))
    volume = self.ec2_backend.create_volume(size=size, zone_name=self._placement.zone, volume_type=kind)
    self.ec2_backend.attach_volume(volume.id, self.id, self.root_device_name, True)


InstanceBackend.run_instances = _run_instances_noting_launch  # type: ignore[method-assign]
Instance.setup_defaults = _setup_defaults  # type: ignore[method-assign]


# --- The usage ledger ---------------------------------------------------------------------------


def _clock_origin() -> float:
    text = os.environ.get("MOON_NOW")
    if not text:
        return time.time()
    try:
        at = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        sys.exit(f"moto_lab: MOON_NOW = {text!r} is not an ISO date or date-time; unset it for the real time, or write a day such as 2027-01-15")
    return (at if at.tzinfo else at.replace(tzinfo=datetime.timezone.utc)).timestamp()


_CLOCK_ORIGIN = _clock_origin()
_STARTED = time.monotonic()


def _now() -> float:
    """The ledger's clock: the process's own, or MOON_NOW's moment plus the time since start."""
    if not os.environ.get("MOON_NOW"):
        return time.time()
    return _CLOCK_ORIGIN + (time.monotonic() - _STARTED)


@dataclass
class _Span:
    """One thing held over time: [start, end) on the emulator's clock, end None while open."""

    kind: str  # instance | volume | publicIpv4 | natGateway
    account: str
    region: str
    resource: str
    rate: str  # the instance type or volume type the price is looked up by; "" for the rest
    quantity: float  # GB for a volume, 1 for the rest
    start: float
    end: float | None = None


class _Ledger:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spans: list[_Span] = []
        self.open: dict[tuple[Any, ...], _Span] = {}

    @staticmethod
    def held() -> dict[tuple[Any, ...], tuple[str, str, str, str, str, float]]:
        """What the EC2 backends hold now that is billed by time, keyed so a change shows."""
        now: dict[tuple[Any, ...], tuple[str, str, str, str, str, float]] = {}
        for account, regions in list(dict.items(ec2_backends)):
            for region, b in list(dict.items(regions)):
                eips = {a.public_ip for a in list(b.addresses)}
                for a in list(b.addresses):
                    rid = a.allocation_id or a.public_ip
                    now[("publicIpv4", account, region, rid)] = ("publicIpv4", account, region, rid, "", 1.0)
                for eni in list(b.enis.values()):
                    if eni.public_ip and eni.public_ip not in eips:
                        rid = f"{eni.id} {eni.public_ip}"
                        now[("publicIpv4", account, region, rid)] = ("publicIpv4", account, region, rid, "", 1.0)
                for i in b.all_instances():
                    if i.state == "running":
                        key = ("instance", account, region, i.id, i.instance_type)
                        now[key] = ("instance", account, region, i.id, str(i.instance_type), 1.0)
                for v in list(b.volumes.values()):
                    key = ("volume", account, region, v.id, v.volume_type, str(v.size))
                    now[key] = ("volume", account, region, v.id, str(v.volume_type), float(v.size))
                for g in list(b.nat_gateways.values()):
                    if g.state in ("pending", "available"):
                        now[("natGateway", account, region, g.id)] = ("natGateway", account, region, g.id, "", 1.0)
        return now

    def observe(self) -> None:
        with self.lock:
            at = _now()
            held = self.held()
            for key in [k for k in self.open if k not in held]:
                self.open.pop(key).end = at
            for key, (kind, account, region, rid, rate, quantity) in held.items():
                if key not in self.open:
                    span = _Span(kind, account, region, rid, rate, quantity, at)
                    self.open[key] = span
                    self.spans.append(span)

    def reset(self) -> None:
        with self.lock:
            self.spans.clear()
            self.open.clear()

    def snapshot(self, account: str) -> list[_Span]:
        with self.lock:
            return [dataclasses.replace(s) for s in self.spans if s.account == account]


_ledger = _Ledger()


_api_lock = threading.Lock()


def _observing(app: Any) -> Any:
    """The WSGI app, one request at a time, with the ledger brought up to date after each."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        # "attempt=N", "; max=M" only when set, botocore's "ttl=..." first: read the N.
        attempt = environ.get("HTTP_AMZ_SDK_REQUEST", "")
        fields = dict(f.strip().partition("=")[::2] for f in attempt.split(";") if "=" in f)
        if fields.get("attempt", "1") != "1":
            print(
                f"moto_lab: a retried request ({attempt}): {environ.get('REQUEST_METHOD')} "
                f"{environ.get('PATH_INFO')} {environ.get('HTTP_X_AMZ_TARGET', '')}".rstrip(),
                file=sys.stderr,
                flush=True,
            )
        with _api_lock:
            result = app(environ, start_response)
            try:
                body = [b"".join(result)]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            try:
                if environ.get("PATH_INFO") == "/moto-api/reset":
                    _ledger.reset()
                _ledger.observe()
            except Exception as e:  # the ledger must never break the API it watches
                print(f"moto_lab: the usage ledger failed to observe: {e!r}", file=sys.stderr, flush=True)
        return body

    return wrapped


# --- GetCostAndUsage from the ledger ------------------------------------------------------------

_COST_METRICS = {m.lower(): m for m in ("BlendedCost", "UnblendedCost", "AmortizedCost", "NetUnblendedCost", "NetAmortizedCost")}
_DIMENSIONS = ("SERVICE", "REGION", "RECORD_TYPE", "LINKED_ACCOUNT")
_PRICES_ENV = "MOTO_LAB_PRICES"


def _invalid(message: str) -> JsonRESTError:
    return JsonRESTError("ValidationException", message)


def _unpriced(message: str) -> JsonRESTError:
    return JsonRESTError("LabPriceMissing", f"{message}; the lab's Cost Explorer never guesses a price")


def _prices() -> dict[str, Any]:
    path = os.environ.get(_PRICES_ENV)
    if not path:
        raise _unpriced(f"the emulator was started without {_PRICES_ENV} (lab up writes the price table there)")
    try:
        with open(path, encoding="utf-8") as f:
            return dict(json.load(f))
    except (OSError, ValueError) as e:
        raise _unpriced(f"the lab's price table {path} cannot be read: {e}") from e


def _day(value: Any, what: str) -> datetime.datetime:
    try:
        d = datetime.date.fromisoformat(str(value))
    except ValueError as e:
        raise _invalid(f"TimePeriod.{what} must be a date (YYYY-MM-DD), not {value!r}") from e
    return datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc)


def _periods(start: datetime.datetime, end: datetime.datetime, granularity: str) -> list[tuple[datetime.datetime, datetime.datetime]]:
    out = []
    at = start
    while at < end:
        if granularity == "DAILY":
            nxt = at + datetime.timedelta(days=1)
        else:
            nxt = datetime.datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=datetime.timezone.utc)
        out.append((at, min(nxt, end)))
        at = min(nxt, end)
    return out


def _matches(expr: dict[str, Any], dims: dict[str, str]) -> bool:
    if not expr:
        return True
    if "And" in expr:
        return all(_matches(e, dims) for e in expr["And"])
    if "Or" in expr:
        return any(_matches(e, dims) for e in expr["Or"])
    if "Not" in expr:
        return not _matches(expr["Not"], dims)
    if "Dimensions" in expr:
        d = expr["Dimensions"]
        key = d.get("Key")
        if key not in _DIMENSIONS:
            raise _invalid(f"the lab's Cost Explorer filters on the dimensions {', '.join(_DIMENSIONS)}, not {key}")
        value = dims[key]
        options = d.get("MatchOptions") or ["EQUALS"]
        if "CASE_INSENSITIVE" in options:
            value, wanted = value.lower(), [str(v).lower() for v in d.get("Values", [])]
        else:
            wanted = [str(v) for v in d.get("Values", [])]
        if "ABSENT" in options:
            return False
        if "STARTS_WITH" in options:
            return any(value.startswith(w) for w in wanted)
        if "ENDS_WITH" in options:
            return any(value.endswith(w) for w in wanted)
        if "CONTAINS" in options:
            return any(w in value for w in wanted)
        return value in wanted
    raise _invalid(f"the lab's Cost Explorer records no tags or cost categories; it filters on Dimensions only, not {sorted(expr)}")


def _amount(usd: float) -> str:
    text = f"{usd:.10f}".rstrip("0").rstrip(".")
    return text or "0"


def _metrics(names: list[str], usd: float) -> dict[str, dict[str, str]]:
    return {m: {"Amount": _amount(usd), "Unit": "USD"} for m in names}


def _cost(span: _Span, hours: float, prices: dict[str, Any]) -> float:
    if span.region != prices["region"]:
        raise _unpriced(f"{span.resource} ({span.kind}) is in {span.region}, and the lab's price table (cost/prices.ts) is for {prices['region']} only")
    if span.kind == "instance":
        rate = prices["instanceHourUsd"].get(span.rate)
        if rate is None:
            raise _unpriced(f"the lab's price table (cost/prices.ts, INSTANCE_HOUR) has no price for instance type {span.rate}, which {span.resource} ran: add it there")
        return hours * float(rate)
    if span.kind == "volume":
        rate = prices["ebsGbMonthUsd"].get(span.rate)
        if rate is None:
            raise _unpriced(f"the lab's price table (cost/prices.ts) has no price for EBS volume type {span.rate}, which {span.resource} is: add it there, or give the volume a type it prices ({', '.join(sorted(prices['ebsGbMonthUsd']))})")
        return span.quantity * float(rate) * hours / float(prices["hoursPerMonth"])
    if span.kind == "publicIpv4":
        return hours * float(prices["publicIpv4HourUsd"])
    return hours * float(prices["natGatewayHourUsd"])


def _get_cost_and_usage(self: CostExplorerResponse) -> str:
    params = json.loads(self.body or "{}")
    period = params.get("TimePeriod") or {}
    start, end = _day(period.get("Start"), "Start"), _day(period.get("End"), "End")
    if start >= end:
        raise _invalid("Start date (and hour) should be before end date (and hour)")
    granularity = params.get("Granularity")
    if granularity not in ("MONTHLY", "DAILY"):
        raise _invalid(f"the lab's Cost Explorer answers Granularity MONTHLY or DAILY, not {granularity!r}")
    metrics = params.get("Metrics") or []
    if not metrics:
        raise _invalid("Metrics is required (the lab answers BlendedCost, UnblendedCost, AmortizedCost, NetUnblendedCost, NetAmortizedCost)")
    for m in metrics:
        if str(m).replace("_", "").lower() not in _COST_METRICS:
            raise _invalid(f"the lab's Cost Explorer answers the cost metrics {', '.join(_COST_METRICS.values())}, not {m}")
    group_by = params.get("GroupBy") or []
    if len(group_by) > 2:
        raise _invalid("GroupBy takes at most two groups")
    for g in group_by:
        if g.get("Type") != "DIMENSION" or g.get("Key") not in _DIMENSIONS:
            raise _invalid(f"the lab's Cost Explorer groups by DIMENSION {', '.join(_DIMENSIONS)}, not {g.get('Type')} {g.get('Key')}")
    keys = [g["Key"] for g in group_by]
    filt = params.get("Filter") or {}

    _ledger.observe()
    now = _now()
    prices = _prices()
    services = prices["services"]
    results = []
    for p_start, p_end in _periods(start, end, granularity):
        lo, hi = p_start.timestamp(), min(p_end.timestamp(), now)
        totals: dict[tuple[str, ...], float] = {}
        for span in _ledger.snapshot(self.current_account):
            hours = max(0.0, min(span.end if span.end is not None else now, hi) - max(span.start, lo)) / 3600
            if hours <= 0:
                continue
            dims = {"SERVICE": services[span.kind], "REGION": span.region, "RECORD_TYPE": "Usage", "LINKED_ACCOUNT": span.account}
            if not _matches(filt, dims):
                continue
            group = tuple(dims[k] for k in keys)
            totals[group] = totals.get(group, 0.0) + _cost(span, hours, prices)
        results.append(
            {
                "TimePeriod": {"Start": p_start.date().isoformat(), "End": p_end.date().isoformat()},
                "Total": {} if keys else _metrics(metrics, sum(totals.values())),
                "Groups": [{"Keys": list(g), "Metrics": _metrics(metrics, usd)} for g, usd in sorted(totals.items())] if keys else [],
                # Open periods can still change, as on AWS.
                "Estimated": p_end.timestamp() > now,
            }
        )
    answer: dict[str, Any] = {"ResultsByTime": results, "DimensionValueAttributes": []}
    if keys:
        answer["GroupDefinitions"] = [{"Type": "DIMENSION", "Key": k} for k in keys]
    return json.dumps(answer)


CostExplorerResponse.get_cost_and_usage = _get_cost_and_usage  # type: ignore[method-assign]


def _month_to_date_usd(account: str) -> float:
    """What the ledger priced so far this calendar month (UTC), every service together."""
    _ledger.observe()
    now = _now()
    today = datetime.datetime.fromtimestamp(now, tz=datetime.timezone.utc)
    lo = datetime.datetime(today.year, today.month, 1, tzinfo=datetime.timezone.utc).timestamp()
    prices = _prices()
    total = 0.0
    for span in _ledger.snapshot(account):
        hours = max(0.0, min(span.end if span.end is not None else now, now) - max(span.start, lo)) / 3600
        if hours > 0:
            total += _cost(span, hours, prices)
    return total


def _with_spend(budget: dict[str, Any], account: str) -> dict[str, Any]:
    """A cost budget as AWS reports it: this month's actual spend measured, not moto's fixed 0."""
    if budget.get("BudgetType") != "COST":
        return budget
    unit = (budget.get("BudgetLimit") or {}).get("Unit", "USD")
    spend = {**(budget.get("CalculatedSpend") or {}), "ActualSpend": {"Amount": _amount(_month_to_date_usd(account)), "Unit": unit}}
    return {**budget, "CalculatedSpend": spend}


def _describe_budget(self: BudgetsResponse) -> str:
    account = self._get_param("AccountId")
    budget = self.backend.describe_budget(account_id=account, budget_name=self._get_param("BudgetName"))
    return json.dumps({"Budget": _with_spend(budget, account)})


def _describe_budgets(self: BudgetsResponse) -> str:
    account = self._get_param("AccountId")
    budgets = [_with_spend(b, account) for b in self.backend.describe_budgets(account_id=account)]
    return json.dumps({"Budgets": budgets, "nextToken": None})


def _update_budget(self: BudgetsResponse) -> str:
    account = self._get_param("AccountId")
    new = self._get_param("NewBudget")
    stored = self.backend.budgets.get(account, {}).get(new.get("BudgetName"))
    if stored is None:
        raise JsonRESTError("NotFoundException", f"Unable to get budget: {new.get('BudgetName')} - the budget doesn't exist.")
    stored.budget = {**stored.budget, **{k: v for k, v in new.items() if k != "CalculatedSpend"}}
    return json.dumps({})


BudgetsResponse.describe_budget = _describe_budget  # type: ignore[method-assign]
BudgetsResponse.describe_budgets = _describe_budgets  # type: ignore[method-assign]
BudgetsResponse.update_budget = _update_budget  # type: ignore[attr-defined]


# --- IAM, enforced for the lab's instances -------------------------------------------------------
#
# moto's own IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT) authorises every call of EC2, SSM,
# Auto Scaling and the rest against resource "*" (moto/iam/access_control.py,
# _determine_resource), so a statement scoped to an ARN never matches and it evaluates no
# condition but sts:ExternalId. The lab evaluates instance roles itself instead: a call signed
# with an instance's credentials (the lab's IMDS hands out "ASIALAB" + the instance ID) is
# allowed only when the role of the instance's profile allows the IAM action on each resource
# the Service Authorization Reference lists for it
# (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
# with an explicit Deny winning (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
# A call the lab has no resource mapping for, or a condition it cannot evaluate, is refused
# and says so: the lab never allows what it did not check. The operator's own calls (OpenTofu,
# the specs: key "lab") are not restricted, as an administrator's would not be.

_LAB_INSTANCE_KEY = "ASIALAB"
# A service acting with a role it assumes (the lab's scheduler carrying out an EventBridge
# Scheduler target): "ASIAROLE" + hex of "<service principal> <role ARN> <source ARN>". The
# call is allowed only if the role trusts that service (aws:SourceAccount and aws:SourceArn
# set as the service sets them) and its policies allow the action.
_LAB_ROLE_KEY = "ASIAROLE"
_denials: list[dict[str, str]] = []
# What was allowed, once per role, action and resource: a spec can see that enforcement ran.
_allowed: dict[tuple[str, str, str], dict[str, str]] = {}


def _instance_of(key: str) -> tuple[str, str, Any] | None:
    """The account, region and instance whose lab credentials these are."""
    instance_id = "i-" + key[len(_LAB_INSTANCE_KEY):].lower()
    for account, regions in list(dict.items(ec2_backends)):
        for region, b in list(dict.items(regions)):
            for i in b.all_instances():
                if i.id == instance_id:
                    return account, region, i
    return None


def _assumed_role(key: str) -> tuple[str, str, str, list[dict[str, Any]], str]:
    """For a service's role key: account, region, role name, policy documents, and why the
    service may not assume the role ("" when it may)."""
    try:
        service, role_arn, source_arn = bytes.fromhex(key[len(_LAB_ROLE_KEY):]).decode().split(" ")
    except ValueError:
        return "", "", "", [], "the credentials name no role"
    parts = source_arn.split(":")
    account, region = (parts[4], parts[3]) if len(parts) > 5 else ("", "")
    try:
        role = iam_backends[account][get_partition(region)].get_role_by_arn(role_arn)
    except Exception:
        return account, region, "", [], f"the role {role_arn} does not exist"
    context = {"aws:SourceAccount": account, "aws:SourceArn": source_arn}
    if not _service_may_assume(role, service, context):
        return account, region, role.name, [], f"{role_arn} does not trust {service} to assume it (or only under a condition that does not hold)"
    return account, region, role.name, _identity_policies(role), ""


def _role_documents(account: str, region: str, instance: Any) -> tuple[str, list[dict[str, Any]]]:
    """The instance's role (by its profile, as IMDS names it) and its policy documents."""
    b = ec2_backends[account][region]
    assoc = b.iam_instance_profile_associations.get(instance.id)
    profile = getattr(assoc, "iam_instance_profile", None)
    roles = list(getattr(profile, "roles", []) or [])
    if not roles:
        return "", []
    role = roles[0]
    return role.name, _identity_policies(role)


def _policy_json(document: Any) -> dict[str, Any]:
    """A policy document as moto keeps it: a dict, JSON, or URL-encoded JSON (as IAM returns it)."""
    text = document if isinstance(document, str) else json.dumps(document)
    return dict(json.loads(urllib.parse.unquote(text) if text.lstrip().startswith("%") else text))


def _identity_policies(role: Any) -> list[dict[str, Any]]:
    """A role's inline policies and its attached managed policies' default versions."""
    docs: list[Any] = list(role.policies.values())
    for policy in role.managed_policies.values():
        docs += [v.document for v in policy.versions if v.is_default]
    return [_policy_json(d) for d in docs]


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    statements = doc.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _list(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else list(v or [])


def _glob(pattern: str, value: str, case: bool) -> bool:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, 0 if case else re.IGNORECASE) is not None


class _Unevaluable(Exception):
    pass


def _condition_holds(cond: dict[str, Any], tags: dict[str, str]) -> bool:
    for op, keys in cond.items():
        for key, wanted in keys.items():
            if not key.startswith("aws:ResourceTag/") or op not in ("StringEquals", "StringLike"):
                raise _Unevaluable(f"the condition {op} on {key}")
            have = tags.get(key.split("/", 1)[1])
            if have is None:
                return False
            if not any(have == w if op == "StringEquals" else _glob(w, have, True) for w in _list(wanted)):
                return False
    return True


def _decide(docs: list[dict[str, Any]], action: str, arn: str, tags: dict[str, str]) -> str:
    """allow, or the reason it is denied, by IAM's order: explicit deny, then any allow."""
    allowed = False
    for doc in docs:
        for st in _statements(doc):
            if "Action" in st:
                acts = any(_glob(a, action, False) for a in _list(st["Action"]))
            else:
                acts = not any(_glob(a, action, False) for a in _list(st.get("NotAction")))
            if "Resource" in st:
                res = any(_glob(r, arn, True) for r in _list(st["Resource"]))
            else:
                res = not any(_glob(r, arn, True) for r in _list(st.get("NotResource")))
            if not (acts and res) or not _condition_holds(st.get("Condition", {}), tags):
                continue
            if st.get("Effect") == "Deny":
                return "an explicit deny in an identity-based policy"
            allowed = True
    return "allow" if allowed else "no identity-based policy allows it"


def _ec2_tags(b: Any, resource_id: str) -> dict[str, str]:
    return dict(b.tags.get(resource_id, {}))


def _group_resource(account: str, region: str, name: str) -> tuple[str, dict[str, str]]:
    group = autoscaling_backends[account][region].autoscaling_groups.get(name)
    if group is None:
        return f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{name}", {}
    return group.arn, {t["Key"]: t["Value"] for t in group.tags}


def _resources(account: str, region: str, op: str, p: dict[str, Any]) -> tuple[str, list[tuple[str, dict[str, str]]]] | None:
    """The IAM action and the resources (ARN, tags) a call is authorised on; None if the lab has no mapping."""
    b = ec2_backends[account][region]
    ec2 = f"arn:aws:ec2:{region}:{account}"
    ssm = f"arn:aws:ssm:{region}:{account}:parameter"
    if op in ("ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeTags"):
        return op, [("*", {})]
    if op in ("ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"):
        if op == "ec2:AttachNetworkInterface":
            eni_id, instance_id = p.get("NetworkInterfaceId", ""), p.get("InstanceId", "")
        else:
            eni = next((e for e in b.enis.values() if getattr(e, "attachment_id", None) == p.get("AttachmentId")), None)
            eni_id = eni.id if eni else ""
            instance_id = eni.instance.id if eni is not None and getattr(eni, "instance", None) is not None else ""
        return op, [
            (f"{ec2}:network-interface/{eni_id}", _ec2_tags(b, eni_id)),
            (f"{ec2}:instance/{instance_id}", _ec2_tags(b, instance_id)),
        ]
    if op in ("autoscaling:SetDesiredCapacity", "autoscaling:SuspendProcesses", "autoscaling:ResumeProcesses"):
        return op, [_group_resource(account, region, p.get("AutoScalingGroupName", ""))]
    if op == "autoscaling:SetInstanceHealth":
        asb = autoscaling_backends[account][region]
        name = next(
            (g.name for g in asb.autoscaling_groups.values() if any(s.instance.id == p.get("InstanceId") for s in g.instance_states)),
            "",
        )
        return op, [_group_resource(account, region, name)]
    if op in ("ec2:StartInstances", "ec2:StopInstances"):
        ids = [v for k, v in sorted(p.items()) if k.startswith("InstanceId.")]
        return op, [(f"{ec2}:instance/{i}", _ec2_tags(b, i)) for i in ids]
    if op == "budgets:DescribeBudget":
        return "budgets:ViewBudget", [(f"arn:aws:budgets::{account}:budget/{p.get('BudgetName', '')}", {})]
    # A parameter's ARN is "parameter" + its name, a "/" between when the name has none; a
    # name may also be given as its ARN.
    def parameter(name: str) -> str:
        return name if name.startswith("arn:") else ssm + (name if name.startswith("/") else "/" + name)

    if op == "ssm:GetParameter":
        return op, [(parameter(p.get("Name", "")), {})]
    if op == "ssm:GetParameters":
        return op, [(parameter(n), {}) for n in p.get("Names", [])]
    if op == "ssm:GetParametersByPath":
        return op, [(parameter(p.get("Path", "")), {})]
    return None


_NO_PERMISSION = {"sts:GetCallerIdentity"}  # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
_JSON_PREFIXES = {"AmazonSSM": "ssm", "AWSBudgetServiceGateway": "budgets"}


def _call(environ: dict[str, Any], body: bytes) -> tuple[str, str, dict[str, Any]] | None:
    """The signing key, the operation as service:Action, and its parameters."""
    m = re.search(r"Credential=([A-Z0-9]+)/[^/]+/[^/]+/([a-z0-9-]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    if not m:
        return None
    key, service = m.group(1), m.group(2)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        prefix, _, action = target.partition(".")
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        return key, f"{_JSON_PREFIXES.get(prefix, service)}:{action}", params
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace") or environ.get("QUERY_STRING", ""))
    flat = {k: v[0] for k, v in form.items()}
    return key, f"{service}:{flat.get('Action', '')}", flat


def _refusal(service: str, message: str, start_response: Any) -> list[bytes]:
    rid = str(uuid.uuid4())
    if service in ("ssm", "budgets"):
        start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "AccessDeniedException")])
        return [json.dumps({"__type": "AccessDeniedException", "message": message}).encode()]
    if service == "ec2":
        xml = f"<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>{message}</Message></Error></Errors><RequestID>{rid}</RequestID></Response>"
    else:
        xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>"
    start_response("403 Forbidden", [("Content-Type", "text/xml")])
    return [xml.encode()]


def _enforcing(app: Any) -> Any:
    """The WSGI app, with the calls of the lab's instances authorised by their roles' policies."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/moto-lab/iam":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"allowed": list(_allowed.values()), "denied": _denials}).encode()]
        if environ.get("PATH_INFO") == "/moto-api/reset":
            _denials.clear()
            _allowed.clear()
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if _LAB_INSTANCE_KEY not in auth and _LAB_ROLE_KEY not in auth:
            return app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        call = _call(environ, body)
        if call is None or not call[0].startswith((_LAB_INSTANCE_KEY, _LAB_ROLE_KEY)) or call[1] in _NO_PERMISSION:
            return app(environ, start_response)
        key, op, params = call
        with _api_lock:
            found: tuple[str, str, Any] | None = None
            if key.startswith(_LAB_ROLE_KEY):
                account, region, role, docs, problem = _assumed_role(key)
                session = "scheduler"
            else:
                found = _instance_of(key)
                problem = "" if found else "the credentials belong to no instance"
                account, region = (found[0], found[1]) if found else ("?", "")
                role, docs = _role_documents(account, region, found[2]) if found else ("", [])
                session = found[2].id if found else "?"
            if problem:
                reason, action, arn = problem, op, "*"
            else:
                mapped = _resources(account, region, op, params)
                reason, action, arn = "allow", op, "*"
                if mapped is None:
                    reason = f"the lab has no resource mapping for {op} (add one to lab/moto_lab.py _resources)"
                else:
                    action = mapped[0]
                    for arn, tags in mapped[1]:
                        try:
                            reason = _decide(docs, action, arn, tags) if role else "the instance has no instance profile role"
                        except _Unevaluable as e:
                            reason = f"the lab cannot evaluate {e}"
                        if reason != "allow":
                            break
                        _allowed[(role, action, arn)] = {"role": role, "action": action, "resource": arn}
            if reason != "allow":
                who = f"arn:aws:sts::{account or '?'}:assumed-role/{role or '?'}/{session}"
                message = f"User: {who} is not authorized to perform: {action} on resource: {arn} because {reason}"
                _denials.append({"role": role, "action": action, "resource": arn, "reason": reason})
        if reason == "allow":
            return app(environ, start_response)
        print(f"moto_lab: IAM refused {op}: {message}", file=sys.stderr, flush=True)
        return _refusal(op.split(":")[0], message, start_response)

    return wrapped


def _run_simple(host: str, port: int, app: Any, **kwargs: Any) -> None:
    app = _enforcing(_observing(app))
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
